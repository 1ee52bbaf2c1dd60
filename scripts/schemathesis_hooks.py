"""schemathesis hooks for scripts/schemathesis.sh.

- `context_rules_only`, a check that completes `positive_data_acceptance`;
- `before_call`, which sends schema-valid requests the way a careful client
  does (real references, the version it read, one key per request);
- `after_call`, a call log for debugging (`ST_CALL_LOG`).

The OpenAPI document states every rule a single value must obey (lengths,
ranges, patterns, enums; api/src/openapi.rs). A few rules JSON Schema cannot
state, because they depend on something besides the value: the clock
("not in the future"), another field ("not before admitted_at"), another
record ("is not a task of this patient"), an earlier response (a cursor).
The document says them in words. A request schemathesis generates as valid
may break one, and the server then rightly answers 422.

So `positive_data_acceptance` lets a 422 through (scripts/schemathesis.toml),
and this check takes over for it: a schema-valid request may be refused with
a 422 only when every field error is one of the rules below. Any other 422
(a limit the document does not state) fails the run, exactly as
`positive_data_acceptance` would have.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re

import requests
import schemathesis

# (field, message) pairs, both regular expressions matched in full. Keep each
# one as narrow as the rule it stands for.
CONTEXT_RULES: list[tuple[str, str]] = [
    # The clock: times of stays, birth dates (the organization's today).
    (r"admitted_at|discharged_at|birth_date|administered_at|provided_at", r"must not be in the future"),
    # A recruiting activity's time, an enrollment's referral date and the
    # date of its step (the organization's today).
    (r"occurred_at|referred_on|on|held_on", r"must not be in the future"),
    # A referral's due date (the organization's today).
    (r"due_date", r"must not be before today"),
    (r"until", r"must be today or later|must be at most 366 days ahead"),
    (r"review_due_on", r"must not be in the past"),
    (r"review\.next_due_on", r"must be after today|must be at most 366 days ahead"),
    (r"participants", r"agreed_on must not be in the future"),
    # Another field of the same body.
    (r"discharged_at", r"must not be before admitted_at"),
    (r"end_date", r"must not be before start_date"),
    (r"consent", r"expires_on must not be before starts_on"),
    (r"name", r"is required for a member outside the organization \(or give user_id\)"),
    (r"name", r"must be left out for a member who is a user \(their name is used\)"),
    (r"shared_scope", r"applies only to an attempt made to a contact \(give contact_id\)"),
    (r"contact_id", r"is required when the audience is a contact|applies only when the audience is a contact"),
    # A referral's step: what it needs depends on where it goes (`status`).
    (r"reason", r"is required to decline or cancel"),
    (r"appointment_at", r"is required to schedule"),
    (r"outcome", r"is required to complete"),
    (r"satisfaction", r"is recorded when the referral closes"),
    # An enrollment's `on` dates the step `status` names.
    (r"on", r"dates a step: send it with `status`"),
    # The directory: distances are from the patient `near_patient_id` names.
    (r"within_miles", r"needs near_patient_id \(distances are from the patient\)"),
    # An API key's provider binding, by its scopes.
    (r"provider_id", r"is required for a referrals:respond key|is only for a referrals:respond key"),
    (r"scopes", r"a referrals:respond key carries no other scope"),
    # Medical-necessity criteria: at least one condition and at most 20,
    # counting both lists (`all_of`, `any_of`) together.
    (r"criteria", r"must have at least one condition"),
    (r"criteria", r"must have at most 20 conditions \(all_of and any_of together\)"),
    # Inside a care plan: references between its items, and who does what.
    (r"goals", r"need_id must name a need in this plan"),
    (r"interventions", r"goal_id must name a goal in this plan"),
    (r"needs", r"item ids must be unique in the plan"),
    (r"interventions", r"a care-team member needs a user_id or a name"),
    (r"participants", r"an agreement needs the date it was given"),
    (r"holidays", r"lists the same date twice"),
    # `uniqueItems` compares identifiers as sent; the server, once trimmed.
    (r"identifiers", r"lists the same system and value twice"),
    (r"from", r"must not be after to"),
    (r"from", r"the range may span at most 92 days"),
    # Reports and measures: a period of at most 366 days (`from` with `to`,
    # which defaults to today; both parameters say so).
    (r"from", r"the period may span at most 366 days"),
    # A screening's skip logic: whether a skippable item must be answered
    # depends on another answer (the document lists each instrument's items
    # and answers, and leaves these out of `required`).
    (r"answers\.[345]", r"item [345] .* has no answer; it is asked whenever item 2 is yes"),
    (r"answers\.[23]", r"item [23] .* has no answer; it is asked whenever item 1 is not never"),
    (r"answers\.6_recent", r"item 6's follow-up .* has no answer; it is asked whenever item 6 is yes"),
    (r"answers\.6_recent", r"item 6's follow-up .* is yes, but item 6 is no: .*"),
    # Another record: references in a body (a path id that does not exist
    # is a 404 instead).
    (r"patient_id", r"is not a patient of your organization"),
    # A huddle's references are inside its lists (`before_call` names real
    # ones in most requests), and a patient is discussed once (`patients`
    # holds objects that may differ only in their notes).
    (r"(patients|action_items)\[\d+\]\.patient_id", r"is not a patient of your organization"),
    (r"attendee_ids\[\d+\]", r"is not an active user of your organization"),
    (r"action_items\[\d+\]\.assignee_id", r"is not an active care manager or supervisor in your organization"),
    (r"patients", r"names a patient twice"),
    (r"patient_notes\[\d+\]\.patient_id", r"was not discussed at this huddle"),
    (r"task_id", r"is not a task of this patient"),
    (r"contact_id", r"is not a contact of this patient"),
    (r"user_id", r"is not an active user of your organization"),
    (r"assignee_id|primary_care_manager_id", r"is not an active care manager or supervisor in your organization"),
    (r"shared_scope", r"cannot be shared: .*"),
    (r"compare_to", r"this plan has no such version"),
    (r"patient_id|near_patient_id", r"is not a patient in this organization"),
    (r"provider_id", r"is not a provider in this organization"),
    (r"program_id", r"is not a program in this organization"),
    (r"need_id", r"is not a need on the patient's care plan"),
    (r"intervention_id", r"is not an intervention on the patient's care plan"),
    # The record's gaps in care now (a chart review names current ones).
    (r"gaps\[\d+\]", r"is not one of the patient's current gaps"),
    # The record's state: what a status step needs depends on the current status.
    (r"reason", r"is required when closing or reopening a case"),
    (r"outcome|transition_outcome", r"is required to finish (a task|a transition follow-up)"),
    (r"cancel_reason", r"is required to cancel a task"),
    (r"transition_outcome\.followup_appointment_date", r"is required when a follow-up appointment is scheduled"),
    # Sending a referral whose patient's record does not meet the service's
    # medical-necessity criteria (the record and the criteria now).
    (r"override_reason", r"is required to send a referral that does not meet the service's medical-necessity criteria"),
    # The network: a webhook's host must resolve, and to public addresses
    # only (the server runs without WEBHOOK_ALLOW_PRIVATE).
    (r"url", r"cannot be reached: .*|must not (be|resolve to) .* \(webhooks only go to public addresses\)"),
    # An earlier response: a cursor is one a page of this list issued.
    (r"cursor", r"is not a cursor this list issued"),
]

_RULES = [(re.compile(f), re.compile(m)) for f, m in CONTEXT_RULES]


def _is_context_rule(error: dict) -> bool:
    field, message = str(error.get("field", "")), str(error.get("message", ""))
    return any(f.fullmatch(field) and m.fullmatch(message) for f, m in _RULES)


@schemathesis.check
def context_rules_only(ctx, response, case):
    """A schema-valid request refused with 422 broke only rules the schema cannot state."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        errors = []
    unexpected = [e for e in errors if not (isinstance(e, dict) and _is_context_rule(e))]
    if not errors or unexpected:
        raise AssertionError(
            "Valid data should have been accepted: the 422 names a rule the document does not state\n"
            f"Unexpected field errors: {unexpected or 'none listed'}"
        )
    return None


# The FHIR API answers a bad search value with a 400 OperationOutcome (FHIR
# has no 422). A schema-valid value it may refuse, for rules the pattern
# cannot state: a date the calendar lacks (2026-02-30), a cursor no page
# issued. Diagnostics matched in full.
FHIR_CONTEXT_RULES = [
    re.compile(r"`_lastUpdated=[^`]*` is not \[prefix\]YYYY, YYYY-MM, YYYY-MM-DD or an instant .*"),
    re.compile(r"`_cursor` is not a cursor this server issued"),
]


@schemathesis.check
def fhir_context_rules_only(ctx, response, case):
    """A schema-valid request refused with 400 is a FHIR search breaking only a rule the schema cannot state."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    try:
        issues = response.json().get("issue") or [] if case.path.startswith("/fhir/") else []
    except ValueError:
        issues = []
    said = [str(i.get("diagnostics", "")) for i in issues if isinstance(i, dict)]
    if not said or not all(any(r.fullmatch(d) for r in FHIR_CONTEXT_RULES) for d in said):
        raise AssertionError(
            "Valid data should have been accepted: the 400 names a rule the document does not state\n"
            f"Diagnostics: {said or 'none'}"
        )
    return None


# An entity tag as the server writes them.
# HL7 v2 messages (POST /api/v1/integrations/hl7v2) are text: ER7's media
# types go on the wire as text/plain does. Any text gets an HL7
# acknowledgment (AR when it is not a message), so a schema-violating
# body, once written out as text, is schema-valid text: such negative
# cases are sent as text/plain, whose stringifying schemathesis knows.
ER7_MEDIA_TYPES = ["x-application/hl7-v2+er7", "application/hl7-v2"]
schemathesis.serializer.alias(ER7_MEDIA_TYPES, "text/plain")


def _er7_negative_as_text(case):
    if case.media_type in ER7_MEDIA_TYPES and not isinstance(case.body, str):
        case.media_type = "text/plain"


ENTITY_TAG = re.compile(r'(W/)?"[0-9]+"')


def _get(path):
    try:
        return requests.get(
            os.environ["ST_BASE_URL"] + path,
            headers={"Authorization": "Bearer " + os.environ["ST_TOKEN"]},
            timeout=10,
        )
    except requests.RequestException:
        return None


def _current_etag(path):
    """The current `ETag` of the record `path` (an update's address) changes."""
    # The record an action (`/sign`, `/status`) acts on.
    record = re.sub(r"/(sign|status|entered-in-error)$", "", path)
    listed = re.fullmatch(r"/api/v1/(contacts|care-team|enrollments|barriers)/([^/]+)", record)
    if listed:
        # No address of their own to read: they are read in their list (the
        # patient's; a barrier in its referral's, the run's referral).
        kind, id_ = listed.groups()
        lists = {
            "barriers": f"/api/v1/referrals/{os.environ['ST_REFERRAL']}/barriers",
        }
        answer = _get(lists.get(kind, f"/api/v1/patients/{os.environ['ST_PATIENT']}/{kind}") + "?limit=200")
        if answer is None or answer.status_code != 200:
            return None
        versions = [item["version"] for item in answer.json()["items"] if item["id"] == id_]
        return f'W/"{versions[0]}"' if versions else None
    answer = _get(record)
    if answer is None or answer.status_code != 200:
        return None
    return answer.headers.get("ETag")


def _post(path, body):
    try:
        answer = requests.post(
            os.environ["ST_BASE_URL"] + path,
            json=body,
            headers={"Authorization": "Bearer " + os.environ["ST_TOKEN"]},
            timeout=10,
        )
    except requests.RequestException:
        return None
    return answer.json()["id"] if answer.status_code == 201 else None


def _send(method, path, body):
    """`method` the JSON `body` to `path` as its record's current version;
    whether it succeeded."""
    headers = {"Authorization": "Bearer " + os.environ["ST_TOKEN"]}
    etag = _current_etag(path)
    if etag:
        headers["If-Match"] = etag
    try:
        answer = requests.request(method, os.environ["ST_BASE_URL"] + path, json=body, headers=headers, timeout=10)
    except requests.RequestException:
        return False
    return answer.status_code == 200


# The steps that bring a new (draft) referral to where a step to each status
# can start: a step is tested from a referral it applies to, not only
# refused with 409 by a draft. (Sending carries an override reason, for the
# criteria the run may have set for the service.)
REFERRAL_STEPS = {
    "sent": {"status": "sent", "override_reason": "Seen in person; needs it now"},
    "accepted": {"status": "accepted"},
    "scheduled": {"status": "scheduled", "appointment_at": "2030-01-07T17:00:00Z"},
    "completed": {"status": "completed", "outcome": "Attended the intake"},
}
REFERRAL_PATH = {
    "accepted": ["sent"],
    "declined": ["sent"],
    "scheduled": ["sent", "accepted"],
    "completed": ["sent", "accepted", "scheduled"],
    "no_show": ["sent", "accepted", "scheduled"],
    "closed": ["sent", "accepted", "scheduled", "completed"],
}
# Likewise for an enrollment (a new one is `referred`).
ENROLLMENT_PATH = {
    "enrolled": ["applied"],
    "denied": ["applied"],
}


def _fresh_referral(to):
    """A new draft referral of the run's patient, moved to where a step to
    `to` starts."""
    referral = _post(
        "/api/v1/referrals",
        {
            "patient_id": os.environ["ST_PATIENT"],
            "provider_id": os.environ["ST_PROVIDER"],
            "service": "outpatient_therapy",
            "reason": "Weekly therapy after an ED visit",
        },
    )
    for step in REFERRAL_PATH.get(to, []) if referral else []:
        if not _send("POST", f"/api/v1/referrals/{referral}/status", REFERRAL_STEPS[step]):
            break
    return referral


def _fresh_enrollment(to):
    """A new enrollment of the run's patient, moved to where a step to `to` starts."""
    enrollment = _post(f"/api/v1/patients/{os.environ['ST_PATIENT']}/enrollments", {"program_id": os.environ["ST_PROGRAM"]})
    for step in ENROLLMENT_PATH.get(to, []) if enrollment else []:
        if not _send("PATCH", f"/api/v1/enrollments/{enrollment}", {"status": step}):
            break
    return enrollment


def _fresh_record(case):
    """A new record for an update that can happen once per record (finishing a
    task, signing a note, closing a case): without it, the first success
    would leave every later request a 409."""
    patient = os.environ["ST_PATIENT"]
    if case.method == "POST" and case.path == "/api/v1/patients/{id}/status":
        return _post(
            "/api/v1/patients",
            {"given_name": "Ana", "family_name": "Reyes", "birth_date": "1990-05-01"},
        )
    if case.method == "PATCH" and case.path == "/api/v1/tasks/{id}":
        return _post(
            "/api/v1/tasks",
            {
                "patient_id": patient,
                "assignee_id": os.environ["ST_USER"],
                "kind": "outreach",
                "title": "Call back",
                "due_at": "2030-01-01T17:00:00Z",
            },
        )
    if case.method == "POST" and case.path == "/api/v1/screenings/{id}/entered-in-error":
        return _post(
            f"/api/v1/patients/{patient}/screenings",
            {"instrument": "phq2", "administered_at": "2026-01-05T10:00:00Z", "answers": {"1": 0, "2": 1}},
        )
    if case.path in ("/api/v1/notes/{id}", "/api/v1/notes/{id}/sign") and case.method != "GET":
        return _post(
            f"/api/v1/patients/{patient}/notes",
            {"type": "outreach", "body": "Left a message.", "minutes": 5},
        )
    # A referral changes while it is open (its provider and service while
    # it is a draft), and each step happens once.
    to = case.body.get("status") if isinstance(case.body, dict) else None
    if case.method == "PATCH" and case.path == "/api/v1/referrals/{id}":
        return _fresh_referral(None)
    if case.method == "POST" and case.path == "/api/v1/referrals/{id}/status":
        return _fresh_referral(to)
    # Likewise an enrollment's steps.
    if case.method == "PATCH" and case.path == "/api/v1/enrollments/{id}":
        return _fresh_enrollment(to)
    # A webhook is deleted once.
    if case.method == "DELETE" and case.path == "/api/v1/webhooks/{id}":
        return _post("/api/v1/webhooks", {"url": PUBLIC_WEBHOOK_URL, "events": ["task.overdue"]})
    return None


# A public address nothing answers on (TEST-NET-3): generated host names do
# not resolve where the run happens, and a webhook's URL must.
PUBLIC_WEBHOOK_URL = "https://203.0.113.10/hooks"


# Body fields naming another record, and the record of the run's patient
# they name instead of a random id. Required ones always; optional ones in
# three requests of four, so that the 422 for an unknown one is met too.
REFERENCES = {
    "patient_id": ("ST_PATIENT", True),
    "task_id": ("ST_TASK", False),
    "contact_id": ("ST_CONTACT", False),
    "assignee_id": ("ST_USER", False),
    "primary_care_manager_id": ("ST_USER", False),
    "provider_id": ("ST_PROVIDER", False),
    "program_id": ("ST_PROGRAM", True),
}

# Query parameters naming another record, likewise.
QUERY_REFERENCES = {
    "near_patient_id": ("ST_PATIENT", False),
    # The FHIR API's searches: a random (well-formed) patient finds nothing.
    "patient": ("ST_PATIENT", False),
}


def _huddle_references(body):
    """A huddle as a client records one: its attendee the run's care
    manager, its one discussed patient and every action item's patient the
    run's patient, each item given to the care manager (the admin the run
    signs in as carries no caseload)."""
    if isinstance(body.get("attendee_ids"), list):
        body["attendee_ids"] = [os.environ["ST_USER"]]
    discussed = [p for p in body.get("patients") or [] if isinstance(p, dict)][:1]
    for p in discussed:
        p["patient_id"] = os.environ["ST_PATIENT"]
    if "patients" in body:
        body["patients"] = discussed
    for item in body.get("action_items") or []:
        if isinstance(item, dict):
            item["patient_id"] = os.environ["ST_PATIENT"]
            item["assignee_id"] = os.environ["ST_USER"]


def _clock_and_record_rules(case, body, shape):
    """Values whose rule depends on today or on the record, made to hold in
    the requests `shape` picks (three in four), so the operation itself is
    served; the others keep what was generated and meet the 422.

    - A risk override's `until` runs from today to 366 days ahead.
    - A chart review's `gaps` are keys of the patient's current gaps.
    - A referral's `due_date` is today or later; an enrollment's
      `referred_on` and the date of its step (`on`) today or earlier.
    - An API key's `provider_id` binds a `referrals:respond` key, which
      carries no other scope, and no other key.
    - A referral's `need_id` and `intervention_id` are items of the run's
      patient's care plan (and left out when it has none now).
    - A referral's step carries what that step needs (a `reason` to
      decline or cancel, `appointment_at` to schedule, `outcome` to
      complete), and `satisfaction` only when closing; an enrollment's
      `on` dates a step (`status`).
    - A care-team member is a user or has a name, never both, and ends
      (if at all) on or after the day it starts.
    - Education names a `contact_id` exactly when its audience is a contact.
    - A care plan's review is due today or later; its goals name needs of
      the same plan, its interventions goals of the same plan (ids the body
      gives them).
    - Finishing a task says its `outcome`, cancelling it its `cancel_reason`.
    """
    if not shape:
        return
    today = datetime.date.today()
    if case.method == "POST" and case.path == "/api/v1/patients/{id}/risk/override" and "until" in body:
        body["until"] = (today + datetime.timedelta(days=30)).isoformat()
    if case.path in ("/api/v1/referrals", "/api/v1/referrals/{id}") and isinstance(body.get("due_date"), str):
        body["due_date"] = (today + datetime.timedelta(days=14)).isoformat()
    if case.method == "POST" and case.path == "/api/v1/api-keys" and isinstance(body.get("scopes"), list):
        if "referrals:respond" in body["scopes"]:
            body["scopes"] = ["referrals:respond"]
            body["provider_id"] = os.environ["ST_PROVIDER"]
        else:
            body.pop("provider_id", None)
    links = {"need_id": "needs", "intervention_id": "interventions"}
    if case.path in ("/api/v1/referrals", "/api/v1/referrals/{id}") and any(isinstance(body.get(f), str) for f in links):
        answer = _get(f"/api/v1/patients/{os.environ['ST_PATIENT']}/care-plan")
        plan = answer.json() if answer is not None and answer.status_code == 200 else {}
        for field, items in links.items():
            ids = [item["id"] for item in plan.get(items) or [] if item.get("id")]
            if isinstance(body.get(field), str):
                if ids:
                    body[field] = ids[0]
                else:
                    del body[field]
    if case.method == "POST" and case.path == "/api/v1/referrals/{id}/status":
        needs = {
            "declined": ("reason", "Not taking new clients"),
            "cancelled": ("reason", "The patient moved away"),
            "scheduled": ("appointment_at", "2030-01-07T17:00:00Z"),
            "completed": ("outcome", "Attended the intake"),
        }
        field, value = needs.get(body.get("status"), (None, None))
        if field and not (isinstance(body.get(field), str) and body[field].strip()):
            body[field] = value
        if body.get("status") != "closed":
            body.pop("satisfaction", None)
    if case.method == "PATCH" and case.path == "/api/v1/enrollments/{id}" and body.get("status") is None:
        body.pop("on", None)
    for field in ("referred_on", "on"):
        if case.path in ("/api/v1/patients/{id}/enrollments", "/api/v1/enrollments/{id}") and isinstance(body.get(field), str):
            body[field] = (today - datetime.timedelta(days=7)).isoformat()
    if case.method == "POST" and case.path == "/api/v1/patients/{id}/care-team":
        named = isinstance(body.get("name"), str) and body["name"].strip()
        if body.get("user_id") is not None and named:
            del body["name"]
        elif body.get("user_id") is None and not named:
            body["name"] = "Dr. Ana Alvarez"
        if isinstance(body.get("end_date"), str) and body["end_date"] < (body.get("start_date") or today.isoformat()):
            del body["end_date"]
    if case.method == "POST" and case.path == "/api/v1/patients/{id}/education":
        if body.get("audience") == "contact":
            body["contact_id"] = os.environ["ST_CONTACT"]
        else:
            body.pop("contact_id", None)
    if case.method == "PUT" and case.path == "/api/v1/patients/{id}/care-plan":
        if isinstance(body.get("review_due_on"), str) and body["review_due_on"] < today.isoformat():
            body["review_due_on"] = (today + datetime.timedelta(days=90)).isoformat()
        for items, field, targets in (("goals", "need_id", "needs"), ("interventions", "goal_id", "goals")):
            ids = {i.get("id") for i in body.get(targets) or [] if isinstance(i, dict) and i.get("id")}
            for item in body.get(items) or []:
                if isinstance(item, dict) and item.get(field) is not None and item[field] not in ids:
                    del item[field]
    if case.method == "PATCH" and case.path == "/api/v1/tasks/{id}":
        needs = {"done": ("outcome", "Reached; appointment kept"), "cancelled": ("cancel_reason", "No longer needed")}
        field, value = needs.get(body.get("status"), (None, None))
        if field and not (isinstance(body.get(field), str) and body[field].strip()):
            body[field] = value
    if case.method == "POST" and case.path == "/api/v1/patients/{id}/chart-reviews" and isinstance(body.get("gaps"), list):
        answer = _get(f"/api/v1/patients/{case.path_parameters.get('id')}/gaps")
        keys = [g["key"] for g in answer.json()["items"]] if answer is not None and answer.status_code == 200 else []
        body["gaps"] = keys[: len(body["gaps"])]


@schemathesis.hook
def before_call(context, case, kwargs):
    """Shape a schema-valid request the way a careful client sends it.

    - References name real records: a random `patient_id` is always a 422,
      and the request would never be served (in a body, and in a query's
      `near_patient_id`).
    - An update names the version it is based on: a generated request
      carries a random `If-Match` or `version`, or none, and would meet 412
      or 428 every time, so the update itself would never be tested. A
      schema-valid request gets the record's current `ETag` in `If-Match`,
      as a client that read the record first would send (it wins over a
      body's `version`); one that carries an entity tag of its own (`W/"3"`)
      keeps it, and meets 412 when it is stale. A `PUT` that creates the
      record (there is none to read) names no version.
    - An `Idempotency-Key` names one request: generated keys repeat (`0`,
      `00` …) across different bodies, and a reused key with another body is
      rightly a 422. The key gets a digest of the request appended, so a
      repeat of the same request replays the first answer and a different
      request is a different key.

    Requests meant to be invalid are sent as generated.
    """
    meta = case.meta
    _er7_negative_as_text(case)
    if case.method == "DELETE" and case.path == "/api/v1/webhooks/{id}" and case.path_parameters.get("id") == os.environ["ST_WEBHOOK"]:
        # Whatever a negative case breaks elsewhere (a header, a parameter),
        # the server may still serve it: the run's own webhook, which later
        # updates, deliveries and replays read, must outlive it.
        case.path_parameters = {**case.path_parameters, "id": _fresh_record(case)}
    if meta is None or not meta.generation.mode.is_positive:
        return
    if isinstance(case.body, dict):
        body = dict(case.body)
        # The documented examples must all be served.
        example = str(meta.phase.name) == "examples"
        spin = int(hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest(), 16)
        for field, (record, required) in REFERENCES.items():
            if isinstance(body.get(field), str) and (required or example or spin % 4):
                body[field] = os.environ[record]
            spin //= 4
        _clock_and_record_rules(case, body, example or spin % 4)
        if case.method == "POST" and case.path == "/api/v1/huddles" and (example or spin % 4):
            _huddle_references(body)
        if case.method == "PATCH" and case.path == "/api/v1/huddles/{id}" and (example or spin % 4):
            for item in body.get("patient_notes") or []:
                if isinstance(item, dict):
                    item["patient_id"] = os.environ["ST_PATIENT"]
            # The run's huddle discussed the run's patient once.
            body["patient_notes"] = (body.get("patient_notes") or [])[:1]
        if case.path in ("/api/v1/webhooks", "/api/v1/webhooks/{id}") and isinstance(body.get("url"), str):
            # A webhook's URL must be one the server can reach: generated
            # host names do not resolve here (the document states the form
            # only; the address rules depend on the network).
            body["url"] = PUBLIC_WEBHOOK_URL
        if case.method == "POST" and case.path == "/api/v1/tasks" and body.get("assignee_id") is None:
            # The run signs in as an admin, who carries no caseload: a task
            # it makes names who does it (by default, the maker).
            body["assignee_id"] = os.environ["ST_USER"]
        case.body = body
    if isinstance(case.query, dict):
        query = dict(case.query)
        # A careful client passes only a cursor a page gave it. A made-up
        # one is refused with a 422 naming it (the negative cases and the
        # scenario tests cover that); sent with valid data, it would only
        # turn a list's valid requests into 422s.
        if case.meta is not None and case.meta.generation.mode.is_positive:
            query.pop("cursor", None)
        spin = int(hashlib.sha256(json.dumps(query, sort_keys=True, default=str).encode()).hexdigest(), 16)
        for field, (record, required) in QUERY_REFERENCES.items():
            if isinstance(query.get(field), str) and (required or spin % 4):
                query[field] = os.environ[record]
            spin //= 4
        case.query = query
    # The webhook a DELETE names was made fresh above, in every mode.
    fresh = None if case.method == "DELETE" and case.path == "/api/v1/webhooks/{id}" else _fresh_record(case)
    if fresh:
        case.path_parameters = {**case.path_parameters, "id": fresh}
    headers = dict(case.headers) if case.headers is not None else {}
    names = {name.lower(): name for name in headers}
    if "idempotency-key" in names:
        name = names["idempotency-key"]
        request = json.dumps([case.method, case.formatted_path, case.body], sort_keys=True, default=str)
        digest = hashlib.sha256(request.encode()).hexdigest()[:16]
        headers[name] = f"{str(headers[name])[:238]}.{digest}"
    definition = case.operation.definition.raw or {}
    takes_version = any(p.get("name") == "If-Match" for p in definition.get("parameters", []))
    if takes_version and not ENTITY_TAG.fullmatch(str(headers.get(names.get("if-match", ""), ""))):
        etag = _current_etag(case.formatted_path)
        if etag:
            headers.pop(names.get("if-match", "If-Match"), None)
            headers["If-Match"] = etag
        elif case.method == "PUT" and isinstance(case.body, dict) and case.body.get("version") is not None:
            # A PUT that creates the record: the client read none, so it
            # names no version (a version of no record is a 412).
            case.body = {k: v for k, v in case.body.items() if k != "version"}
    case.headers = headers


@schemathesis.hook
def after_call(context, case, response):
    """With `ST_CALL_LOG=<file>`, one JSON line per call (for finding out why a run fails)."""
    path = os.environ.get("ST_CALL_LOG")
    if not path:
        return
    meta = case.meta
    line = {
        "mode": str(meta.generation.mode) if meta else None,
        "phase": str(meta.phase.name) if meta else None,
        "op": f"{case.method} {case.path}",
        "status": response.status_code,
        "if_match": (case.headers or {}).get("If-Match"),
        "body": case.body if isinstance(case.body, (dict, list, str, int, float, bool, type(None))) else repr(case.body),
        "answer": response.text[:300],
    }
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(line, default=str) + "\n")
