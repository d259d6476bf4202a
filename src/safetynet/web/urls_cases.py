from django.urls import path

from safetynet.web.views import case_papers as papers
from safetynet.web.views import cases as web
from safetynet.web.views import leads as lead_views
from safetynet.web.views import public, sittings, standards

app_name = "cases"
urlpatterns = [
    path("", web.case_list, name="list"),
    path("leads/", web.leads, name="leads"),
    path("leads/bulk/", lead_views.leads_bulk, name="leads_bulk"),
    path("leads/<int:pk>/", lead_views.lead_detail, name="lead"),
    path("tasks/", lead_views.tasks, name="tasks"),
    path("leads/<int:lead_id>/dismiss/", web.dismiss, name="dismiss"),
    path("accept/", web.accept, name="accept"),
    path("dashboard/", web.dashboard, name="dashboard"),
    path("inbox/", web.inbox, name="inbox"),
    path("print/consent/", papers.print_consent, name="print_consent_blank"),
    path("print/investigation/", papers.print_investigation, name="print_investigation_blank"),
    path("sittings/", sittings.sitting_list, name="sittings"),
    path("sittings/<int:pk>/", sittings.sitting_detail, name="sitting"),
    path("sittings/<int:pk>/do/<str:action>/", sittings.sitting_act, name="sitting_act"),
    path("standard-changes/", standards.standard_changes, name="standards"),
    path("<int:pk>/", web.detail, name="detail"),
    path("<int:pk>/do/<str:action>/", web.act, name="act"),
    path("<int:pk>/attachments/<int:attachment_id>/", web.attachment, name="attachment"),
    path("<int:pk>/print/consent/", papers.print_consent, name="print_consent"),
    path("<int:pk>/print/investigation/", papers.print_investigation, name="print_investigation"),
    path("<int:pk>/refusal-letter/", papers.refusal_letter, name="refusal_letter"),
    path("<int:pk>/letters/<int:letter_id>/", papers.letter_page, name="letter"),
    path("<int:pk>/letters/<int:letter_id>.pdf", papers.letter_pdf, name="letter_pdf"),
    path("<int:pk>/notice/", papers.notice_page, name="notice"),
    path("<int:pk>/notice.pdf", papers.notice_pdf, name="notice_pdf"),
]

# The public pages (no account), mounted at the site root by safetynet/urls.py.
public_urlpatterns = [
    path("apply/", public.public_apply, name="public_apply"),
    path("apply/status/", public.public_status, name="public_status"),
]
