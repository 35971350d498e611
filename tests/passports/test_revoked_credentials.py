"""A revoked Open Badges credential stays revoked: every copy of the entry, the passport
snapshots that listed it, and no fresh one until a trainer re-issues it with a reason."""

from __future__ import annotations

from typing import Any

import jwt
from lxml import html
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.models import Credential, PassportAudit, PassportEntry

from .conftest import OTHER_COURSE, OTHER_TRAINER, csrf_token, sign_in

JWKS = "/lti/jwks.json"


def _lena_entry(app: Any, title: str = "VCA basic safety") -> int:
    with app.app_context():
        return db.session.scalars(
            select(PassportEntry.id)
            .join(User, User.id == PassportEntry.user_id)
            .where(User.sub == "demo-learner-1", PassportEntry.title == title)
        ).one()


def _status(app: Any, public_id: str) -> str:
    response = app.test_client().get(f"/verify/{public_id}?format=json")
    return str(response.get_json()["status"])


def _verified_token(app: Any, token: bytes | str) -> dict[str, Any]:
    """The downloaded VC-JWT checked against the tool's published key, as a verifier would."""
    text = token.decode() if isinstance(token, bytes) else token
    kid = jwt.get_unverified_header(text)["kid"]
    key_set = app.test_client().get(JWKS).get_json()
    key = jwt.PyJWK(next(k for k in key_set["keys"] if k["kid"] == kid))
    return dict(jwt.decode(text, key, algorithms=["RS256"], options={"verify_exp": False}))


def _copies(app: Any, entry_id: int) -> list[tuple[str, bool]]:
    with app.app_context():
        return [
            (c.public_id, c.revoked_at is not None)
            for c in db.session.scalars(
                select(Credential).where(Credential.entry_id == entry_id).order_by(Credential.id)
            )
        ]


def _two_current_copies(app: Any, learner: Any, entry_id: int) -> list[str]:
    """Two signed copies of the entry with their own public ids, both current (as left by the
    earlier behaviour, or a download racing a change)."""
    first = learner.get(f"/passport/entries/{entry_id}/credential")
    assert first.status_code == 200
    first_id = _verified_token(app, first.data)["vc"]["id"].rsplit("/", 1)[-1]
    with app.app_context():
        entry = db.session.get(PassportEntry, entry_id)
        entry.result = "passed with distinction"  # changes what is signed, revokes nothing
        db.session.commit()
    second = learner.get(f"/passport/entries/{entry_id}/credential")
    second_id = _verified_token(app, second.data)["vc"]["id"].rsplit("/", 1)[-1]
    assert first_id != second_id
    assert _status(app, first_id) == _status(app, second_id) == "current"
    return [first_id, second_id]


def _revoke(app: Any, public_id: str, reason: str) -> Any:
    admin = app.test_client()
    sign_in(app, admin, "admin")
    return admin.post(
        f"/passport/admin/credentials/{public_id}/revoke",
        data={
            "csrf_token": csrf_token(admin, "/passport/admin/"),
            "reason": reason,
            "confirm": "yes",
        },
    )


def test_revoking_one_copy_revokes_every_copy_and_no_fresh_one_is_issued(
    passport_app: Any,
) -> None:
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")
    entry_id = _lena_entry(passport_app)
    first_id, second_id = _two_current_copies(passport_app, learner, entry_id)
    pdf = learner.get("/passport/export.pdf")
    assert pdf.status_code == 200
    with passport_app.app_context():
        snapshot = db.session.scalars(
            select(Credential.public_id).where(Credential.kind == "passport")
        ).one()
    assert _status(passport_app, snapshot) == "current"

    assert _revoke(passport_app, second_id, "Exam fraud").status_code == 303
    for public_id in (first_id, second_id, snapshot):
        assert _status(passport_app, public_id) == "revoked", public_id
    page = passport_app.test_client().get(f"/verify/{first_id}").get_data(as_text=True)
    assert html.fromstring(page).xpath('//*[@data-testid="verify-status"]/@data-status') == [
        "revoked"
    ]
    assert "Exam fraud" in page

    again = learner.get(f"/passport/entries/{entry_id}/credential")
    assert again.status_code == 410
    text = again.get_data(as_text=True)
    assert 'data-testid="credential-revoked"' in text and "Exam fraud" in text
    assert "ask your trainer" in text
    assert _copies(passport_app, entry_id) == [(first_id, True), (second_id, True)]
    entry_page = learner.get(f"/passport/entries/{entry_id}").get_data(as_text=True)
    assert "/credential" not in entry_page and "entry-credential-revoked" in entry_page

    # The next passport PDF's snapshot leaves the revoked training out.
    assert learner.get("/passport/export.pdf").status_code == 200
    with passport_app.app_context():
        fresh = db.session.scalars(
            select(Credential).where(Credential.kind == "passport", Credential.revoked_at.is_(None))
        ).one()
        listed = [
            t["title"]
            for t in _verified_token(passport_app, fresh.token)["vc"]["credentialSubject"][
                "trainings"
            ]
        ]
    assert "VCA basic safety" not in listed and "First aid refresher" in listed
    assert _status(passport_app, fresh.public_id) == "current"


def test_a_trainer_reissues_on_purpose_with_a_reason(passport_app: Any) -> None:
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")
    entry_id = _lena_entry(passport_app)
    first_id = _verified_token(
        passport_app, learner.get(f"/passport/entries/{entry_id}/credential").data
    )["vc"]["id"].rsplit("/", 1)[-1]
    assert _revoke(passport_app, first_id, "Wrong learner").status_code == 303
    path = f"/passport/trainer/entries/{entry_id}/credential/reissue"

    # Learners, CSRF-less posts, empty reasons and trainers of other courses change nothing.
    assert learner.post(path, data={"reason": "x"}).status_code in (400, 403)
    trainer = passport_app.test_client()
    sign_in(passport_app, trainer, "instructor")
    page = trainer.get(f"/passport/trainer/entries/{entry_id}")
    assert 'id="reissue-heading"' in page.get_data(as_text=True)
    token = csrf_token(trainer, f"/passport/trainer/entries/{entry_id}")
    assert trainer.post(path, data={"reason": "Checked again"}).status_code == 400
    assert trainer.post(path, data={"csrf_token": token, "reason": "  "}).status_code == 303
    other = passport_app.test_client()
    sign_in(passport_app, other, OTHER_TRAINER, OTHER_COURSE)
    other_token = csrf_token(other, "/passport/propose")
    assert other.post(path, data={"csrf_token": other_token, "reason": "x"}).status_code == 404
    assert learner.get(f"/passport/entries/{entry_id}/credential").status_code == 410
    assert _copies(passport_app, entry_id) == [(first_id, True)]

    response = trainer.post(
        path, data={"csrf_token": token, "reason": "It was the right learner after all"}
    )
    assert response.status_code == 303
    download = learner.get(f"/passport/entries/{entry_id}/credential")
    assert download.status_code == 200
    new_id = _verified_token(passport_app, download.data)["vc"]["id"].rsplit("/", 1)[-1]
    assert new_id != first_id
    assert _status(passport_app, new_id) == "current"
    assert _status(passport_app, first_id) == "revoked"
    with passport_app.app_context():
        record = db.session.scalars(
            select(PassportAudit).where(PassportAudit.action == "reissue")
        ).one()
        trainer_id = db.session.scalars(select(User.id).where(User.sub == "demo-trainer-1")).one()
        assert record.actor_id == trainer_id
        assert record.details["reason"] == "It was the right learner after all"
        assert record.details["revoked_earlier"] == [first_id]


def test_a_copy_that_slipped_past_the_revocation_verifies_as_revoked(passport_app: Any) -> None:
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")
    entry_id = _lena_entry(passport_app)
    first_id = _verified_token(
        passport_app, learner.get(f"/passport/entries/{entry_id}/credential").data
    )["vc"]["id"].rsplit("/", 1)[-1]
    assert _revoke(passport_app, first_id, "Withdrawn").status_code == 303
    with passport_app.app_context():
        # A download that read the entry before the revocation was written, committed after it.
        straggler = db.session.scalars(
            select(Credential).where(Credential.public_id == first_id)
        ).one()
        copy = Credential(
            kind="entry",
            entry_id=entry_id,
            user_id=straggler.user_id,
            achievement_name=straggler.achievement_name,
            valid_from=straggler.valid_from,
            valid_until=straggler.valid_until,
            kid=straggler.kid,
            token=straggler.token,
            digest=straggler.digest,
        )
        db.session.add(copy)
        db.session.commit()
        copy_id = copy.public_id
    assert _status(passport_app, copy_id) == "revoked"
    with passport_app.app_context():
        stored = db.session.scalars(select(Credential).where(Credential.public_id == copy_id)).one()
        assert stored.revoked_at is not None and stored.revoke_reason == "Withdrawn"
