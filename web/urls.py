"""Page URLs (页面). Names are used by templates and other apps' links: keep them stable."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from web.views import divisions, home, households, person_merge, persons

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # persons (人员)
    path("persons/", persons.person_list, name="person-list"),
    path("persons/new/", persons.person_create, name="person-create"),
    path("persons/merge/", person_merge.person_merge_page, name="person-merge"),
    path("persons/autocomplete/", persons.person_autocomplete, name="person-autocomplete"),
    path("persons/<int:pk>/", persons.person_show, name="person-detail"),
    path("persons/<int:pk>/reveal-id/", persons.person_reveal_id, name="person-reveal-id"),
    path("persons/<int:pk>/reveal-phone/", persons.person_reveal_phone, name="person-reveal-phone"),
    path("persons/<int:pk>/disabilities/<int:disability_pk>/reveal-certificate/",
         persons.disability_reveal_certificate, name="person-reveal-certificate"),
    path("persons/<int:pk>/edit/", persons.person_edit, name="person-edit"),
    path("persons/<int:pk>/death/", persons.person_record_death, name="person-record-death"),
    path("persons/<int:pk>/disabilities/", persons.person_disability_add, name="person-disability-add"),
    path("persons/<int:pk>/facts/", persons.person_fact_add, name="person-fact-add"),
    # 区县 by name (户籍地 anywhere in the country)
    path("divisions/autocomplete/", divisions.division_autocomplete, name="division-autocomplete"),
    # households (家庭)
    path("households/", households.household_list, name="household-list"),
    path("households/new/", households.household_create, name="household-create"),
    path("households/<int:pk>/", households.household_show, name="household-detail"),
    path("households/<int:pk>/edit/", households.household_edit, name="household-edit"),
    path("households/<int:pk>/members/add/", households.household_member_add, name="household-member-add"),
    path("households/<int:pk>/members/remove/", households.household_member_remove, name="household-member-remove"),
    path("households/<int:pk>/incomes/", households.household_income_add, name="household-income-add"),
    path("households/<int:pk>/assets/", households.household_asset_add, name="household-asset-add"),
    # programmes (项目): re-ratings (调整待遇) — owned by the programs app
    path("programs/", include("programs.web_urls")),
    # imports (数据导入) — owned by the imports app
    path("imports/", include("imports.urls")),
    path("clients/", include("accounts.web_urls")),
    # social assistance (社会救助) — owned by the assistance app
    path("assistance/", include("assistance.web_urls")),
    # dynamic monitoring (动态监测预警) and tasks (待办任务) — owned by the monitoring and tasks apps
    path("monitoring/", include("monitoring.web_urls")),
    path("tasks/", include("tasks.web_urls")),
    path("children/", include("children.web_urls")),
    # funds (资金发放): cycles, payment search, supervision reports — owned by the payments app
    path("payments/", include("payments.web_urls")),
    path("payments/", include("payments.web_urls_bank")),
    path("payments/", include("payments.custody.web_urls")),
    # disability welfare (残疾人福利): coverage of the two subsidies, a disabled person's page
    path("disability/", include("disability.web_urls")),
    # elderly care (养老服务): assessments, care homes, services — owned by the eldercare app
    path("eldercare/", include("eldercare.web_urls")),
    # the cockpit (数字驾驶舱) and indicator pages — owned by the indicators app
    path("cockpit/", include("indicators.web_urls")),
    # solitary and vulnerable elderly (探访关爱) — owned by the carevisits app
    path("carevisits/", include("carevisits.web_urls")),
]
