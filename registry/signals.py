"""Registry signals: other capabilities react to registry facts without the registry knowing them."""

from django.dispatch import Signal

# Sent inside person_record_death's transaction with `person` and `acting_user`: a receiver that fails rolls the
# death back, so a death is never recorded while the benefits it should stop keep running.
person_died = Signal()
