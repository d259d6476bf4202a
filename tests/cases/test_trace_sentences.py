"""The engine's explanation where people decide: the case page, the proposal and the replayed
decision read as sentences with figures and clauses, the structured steps beside them."""

from __future__ import annotations

import re

from django.test import Client

from safetynet.cases.models import TownshipDecision

CODES = re.compile(r"core_family|below_standard|eligible|dibao|edge_prone|\[True|\['")


def _without_sentences(trace):
    return [{k: v for k, v in step.items() if k != "sentence"} for step in trace]


def test_the_proposal_carries_a_sentence_beside_every_structured_step(proc):
    proc.to_decision()
    proposal = proc.ok(proc.api["review_member"].post(f"/cases/{proc.case_id}/proposal", {}))
    trace = proposal["result"]["trace"]
    assert trace and all({"rule", "clause", "inputs", "result", "sentence"} <= set(step) for step in trace)
    income = next(step for step in trace if step["rule"] == "income_below_dibao_standard")
    assert "家庭月人均收入 0 元，低于农村低保标准" in income["sentence"]
    assert income["sentence"].endswith(f"（{income['clause']}）") and income["result"]["value"] is True


def test_the_case_page_explains_the_proposal_in_sentences(proc, users):
    proc.to_decision()
    proc.ok(proc.api["review_member"].post(f"/cases/{proc.case_id}/proposal", {}))
    web = Client()
    web.force_login(users["review_member"])
    page = web.get(f"/cases/{proc.case_id}/").content.decode()
    trace = page[page.index('id="proposal-trace"') :]
    trace = trace[: trace.index("</details>")]
    assert "家庭月人均收入 0 元，低于农村低保标准" in trace
    assert "民发〔2021〕57号" in trace and "户主" in trace
    assert not CODES.search(trace), CODES.search(trace)


def test_a_decision_frozen_before_the_sentences_is_explained_in_sentences_and_still_identical(proc):
    proc.to_decision()
    proc.decide()
    decision = TownshipDecision.objects.get(case_id=proc.case_id)
    decision.proposal = {**decision.proposal, "trace": _without_sentences(decision.proposal["trace"])}
    decision.save(update_fields=["proposal"])

    explained = proc.ok(
        proc.api["township_clerk"].get(f"/cases/{proc.case_id}/decisions/{decision.pk}/explain")
    )
    assert explained["identical"] is True
    for side in ("frozen", "recomputed"):
        assert all(step["sentence"] for step in explained[side]["trace"]), side
    assert [s["sentence"] for s in explained["frozen"]["trace"]] == [
        s["sentence"] for s in explained["recomputed"]["trace"]
    ]


def test_a_changed_decision_is_not_identical_whatever_the_words(proc):
    proc.to_decision()
    proc.decide()
    decision = TownshipDecision.objects.get(case_id=proc.case_id)
    trace = decision.proposal["trace"]
    changed = [
        {**step, "result": {**step["result"], "value": "none"}} if step["rule"] == "category" else step
        for step in trace
    ]
    decision.proposal = {**decision.proposal, "trace": changed}
    decision.save(update_fields=["proposal"])
    explained = proc.ok(
        proc.api["township_clerk"].get(f"/cases/{proc.case_id}/decisions/{decision.pk}/explain")
    )
    assert explained["identical"] is False


def test_the_case_page_explains_each_decision_by_its_frozen_proposal_in_sentences(proc, users):
    proc.to_decision()
    proc.decide()
    decision = TownshipDecision.objects.get(case_id=proc.case_id)
    decision.proposal = {**decision.proposal, "trace": _without_sentences(decision.proposal["trace"])}
    decision.save(update_fields=["proposal"])  # frozen before the sentences existed
    web = Client()
    web.force_login(users["township_clerk"])
    page = web.get(f"/cases/{proc.case_id}/").content.decode()
    trace = page[page.index(f'id="decision-trace-{decision.pk}"') :]
    trace = trace[: trace.index("</details>")]
    assert "低于农村低保标准" in trace and "整户认定结果：低保" in trace
    assert not CODES.search(trace), CODES.search(trace)
