"""The leader's desk block (驾驶舱要点): the few key figures of the user's own area this month, with the light
of each against its target, and the way to the cockpit."""

from datetime import date

from django.urls import reverse

from indicators import selectors
from indicators.models import Indicator
from web.desk import Block, desk_block

TONES = {"green": "success", "red": "danger", "grey": "body"}


@desk_block(5)
def key_figures(user, today: date) -> Block | None:
    if not selectors.may_view(user):
        return None
    area = selectors.user_area_code(user)
    if area is None:
        return None
    block = Block("key-figures", "本辖区关键指标（本月）", more_url=reverse("cockpit"), more_label="进入数字驾驶舱",
                  empty="")
    month = today.replace(day=1)
    indicators = list(Indicator.objects.filter(key=True, status=Indicator.Status.COLLECTED))
    # every key figure of the month in two queries (not two per indicator): the cockpit's grid of one month
    grid = selectors.readings_grid(user, indicators, area, [month])
    for indicator in indicators:
        reading = grid[(indicator.code, month)]
        if reading.value is not None:
            block.figures.append((f"{indicator.name}（{indicator.unit}）", reading.value, TONES[reading.light]))
    return block
