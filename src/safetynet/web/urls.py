from django.urls import path

from safetynet.web.views import account, audit, democlock, family_changes, households, support_mode

app_name = "web"
urlpatterns = [
    path("", account.home, name="home"),
    path("login/", account.login, name="login"),
    path("logout/", account.logout, name="logout"),
    path("households/", households.search, name="search"),
    path("households/new/", households.create, name="household_new"),
    path("households/export.xlsx", households.export, name="household_export"),
    path("households/<int:pk>/", households.detail, name="household"),
    path("households/<int:pk>/fields/", households.fields, name="household_fields"),
    path("households/<int:pk>/edit/", households.edit, name="household_edit"),
    path("households/<int:pk>/members/new/", households.member_new, name="member_new"),
    path("households/<int:pk>/members/<int:mid>/", households.member_row, name="member_row"),
    path("households/<int:pk>/members/<int:mid>/edit/", households.member_edit, name="member_edit"),
    path("households/<int:pk>/members/<int:mid>/end/", households.member_end, name="member_end"),
    path("households/<int:pk>/members/<int:mid>/reveal/", households.member_reveal, name="member_reveal"),
    path("households/<int:pk>/changes/head/", family_changes.change_head, name="change_head"),
    path("households/<int:pk>/changes/join/", family_changes.join, name="change_join"),
    path("households/<int:pk>/changes/leave/<int:mid>/", family_changes.leave, name="change_leave"),
    path("households/<int:pk>/changes/split/", family_changes.split, name="change_split"),
    path("households/<int:pk>/changes/merge/", family_changes.merge, name="change_merge"),
    path("households/<int:pk>/support-mode/", support_mode.support_mode, name="support_mode"),
    path("audit/", audit.audit_list, name="audit"),
    path("demo/clock/", democlock.demo_clock, name="demo_clock"),
]
