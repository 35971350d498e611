"""The passport's pages: the learner's own passport and exports, proposals, the trainer's matrix
and entries, the admin's set-up and privacy tools, and the public /verify page.

A learner's pages always use the launch's user id, never an id from the URL. Pages that take a
person or entry id from the URL check it against what the launched user may see and answer 404
otherwise, so ids cannot be probed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..lti.context import LaunchContext, current_launch, launch_required
from ..lti.roster import sync_roster
from ..models import Course, User
from . import catalogue, credentials, erasure, exports, frameworks, services
from .files import file_url as evidence_file_url
from .forms import entry_input, positive_int
from .models import (
    MODALITIES,
    CompetenceFramework,
    Credential,
    IdentityLink,
    LearnerGroup,
    PassportEntry,
    TrainingType,
)
from .people import people_page
from .uploads import MAX_CERTIFICATE_BYTES, UploadRefused, make_certificate

bp = Blueprint("passports", __name__, static_folder="static", static_url_path="/passport/static")


@bp.app_template_filter("passport_hours")
def passport_hours(value: Any) -> str:
    """7.50 -> "7.5", 8.00 -> "8": hours as people write them."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text or "0"


# Room for the form fields around the file; anything larger is refused before it is read.
UPLOAD_REQUEST_LIMIT = MAX_CERTIFICATE_BYTES + 256 * 1024
FRAMEWORK_REQUEST_LIMIT = 5 * 1024 * 1024


def _ctx() -> LaunchContext:
    ctx = current_launch()
    assert ctx is not None  # launch_required ran first
    return ctx


def _base_url() -> str:
    return str(current_app.config["LEARNPASS"].base_url)


def _tool_title() -> str:
    return str(current_app.config["LEARNPASS"].tool_title)


def _warn_days() -> int:
    return positive_int(request.args.get("days"), services.DEFAULT_WARN_DAYS, 3650)


def _limit_upload(limit: int) -> None:
    """Refuse a too-large body from its declared length, and cap what will be read if undeclared."""
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    request.max_content_length = limit


def _download(body: bytes | str, media_type: str, filename: str) -> Response:
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _evidence_download(certificate: Any, viewer_id: int) -> Response:
    """Uploaded files are served from the content origin (files.py): send the browser there."""
    viewer = db.session.get(User, viewer_id)
    if viewer is None:
        abort(404)
    response = redirect(evidence_file_url(certificate, viewer), code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_choices() -> dict[str, Any]:
    """What an entry form offers: the organisation's and the launch platform's catalogue."""
    session = db.session()
    platform_id = _ctx().platform_id
    return {
        "modalities": MODALITIES,
        "training_types": catalogue.training_types(session, platform_id),
        "competences": catalogue.competences(session, platform_id),
    }


# ---------------------------------------------------------------- the learner


@bp.get("/passport/")
@launch_required()
def my_passport() -> Any:
    ctx = _ctx()
    summary = services.passport_summary(db.session(), ctx.user_id, warn_days=_warn_days())
    return render_template("passports/passport.html", ctx=ctx, summary=summary)


@bp.get("/passport/entries/<int:entry_id>")
@launch_required()
def my_entry(entry_id: int) -> Any:
    ctx = _ctx()
    entry = services.entry_for_user(db.session(), entry_id, ctx.user_id)
    if entry is None:
        abort(404)
    return render_template("passports/entry.html", ctx=ctx, entry=entry, trainer_view=False)


@bp.get("/passport/entries/<int:entry_id>/certificate")
@launch_required()
def my_certificate(entry_id: int) -> Any:
    ctx = _ctx()
    entry = services.entry_for_user(db.session(), entry_id, ctx.user_id)
    if entry is None or entry.certificate is None:
        abort(404)
    return _evidence_download(entry.certificate, ctx.user_id)


@bp.get("/passport/entries/<int:entry_id>/credential")
@launch_required()
def my_credential(entry_id: int) -> Any:
    """The entry's Open Badges 3.0 credential as a VC-JWT file."""
    ctx = _ctx()
    session = db.session()
    entry = services.entry_for_user(session, entry_id, ctx.user_id)
    if entry is None:
        abort(404)
    try:
        credential = credentials.issue_for_entry(
            session, entry, base_url=_base_url(), issuer_name=_tool_title()
        )
    except credentials.CredentialRevoked as exc:
        return render_template(
            "passports/credential_revoked.html", ctx=ctx, entry=entry, revoked=exc.credential
        ), 410
    except services.PassportError:
        abort(404)
    return _download(
        credential.token, "application/vc+jwt", f"credential-{credential.public_id}.jwt"
    )


@bp.get("/passport/export.json")
@launch_required()
def export_json() -> Any:
    ctx = _ctx()
    summary = services.passport_summary(db.session(), ctx.user_id)
    body = json.dumps(exports.passport_json(summary), ensure_ascii=False, indent=2)
    return _download(body, "application/json", "passport.json")


@bp.get("/passport/export.pdf")
@launch_required()
def export_pdf() -> Any:
    ctx = _ctx()
    session = db.session()
    summary = services.passport_summary(session, ctx.user_id)
    # The PDF shows what its signed snapshot vouches for: no training whose credential was revoked.
    vouched = credentials.passport_entries(summary)
    summary = dataclasses.replace(
        summary,
        entries=vouched,
        hours_total=sum((v.entry.hours for v in vouched), Decimal("0")),
    )
    credential = credentials.issue_for_passport(
        session, summary, base_url=_base_url(), issuer_name=_tool_title()
    )
    verify_url = f"{_base_url()}/verify/{credential.public_id}"
    body = exports.passport_pdf(summary, verify_url, _tool_title(), _)
    return _download(body, "application/pdf", "passport.pdf")


@bp.get("/passport/my-data.json")
@launch_required()
def my_data() -> Any:
    ctx = _ctx()
    body = json.dumps(
        exports.personal_data(db.session(), ctx.user_id), ensure_ascii=False, indent=2
    )
    return _download(body, "application/json", "my-learnpass-data.json")


def _certificate_from_request(*, owner_id: int, uploaded_by_id: int) -> Any:
    """The checked certificate file of an entry form, or None when none was chosen."""
    upload = request.files.get("certificate")
    if not (upload and upload.filename):
        return None
    return make_certificate(
        upload.stream, upload.filename, owner_id=owner_id, uploaded_by_id=uploaded_by_id
    )


@bp.route("/passport/propose", methods=["GET", "POST"])
@launch_required()
def propose() -> Any:
    ctx = _ctx()
    error = None
    if request.method == "POST":
        _limit_upload(UPLOAD_REQUEST_LIMIT)
        session = db.session()
        try:
            data = entry_input(request.form)
            certificate = _certificate_from_request(
                owner_id=ctx.user_id, uploaded_by_id=ctx.user_id
            )
            services.propose_entry(
                session,
                user_id=ctx.user_id,
                data=data,
                certificate=certificate,
                course_id=ctx.course_id,
                platform_id=ctx.platform_id,
            )
        except (services.PassportError, UploadRefused) as exc:
            session.rollback()
            error = str(exc)
        else:
            flash(_("Thank you. Your trainer will check your proposal."), "ok")
            return redirect(url_for("passports.my_passport"), code=303)
    return render_template(
        "passports/entry_form.html",
        ctx=ctx,
        error=error,
        form=request.form,
        mode="propose",
        **_form_choices(),
    ), (400 if error else 200)


# ---------------------------------------------------------------- the trainer


def _visible_learner(learner_id: int) -> User:
    ctx = _ctx()
    session = db.session()
    if not services.trainer_may_see(
        session, ctx.user_id, learner_id, is_admin=ctx.is_admin, platform_id=ctx.platform_id
    ):
        abort(404)
    learner = session.get(User, learner_id)
    assert learner is not None
    return learner


def _visible_entry(entry_id: int) -> PassportEntry:
    """An entry of a learner the trainer may see, also when it came from a linked identity."""
    ctx = _ctx()
    session = db.session()
    entry = session.get(PassportEntry, entry_id)
    if entry is None or not any(
        services.trainer_may_see(
            session, ctx.user_id, uid, is_admin=ctx.is_admin, platform_id=ctx.platform_id
        )
        for uid in services.identity_user_ids(session, entry.user_id)
    ):
        abort(404)
    return entry


def _matrix_course(raw: str | None) -> Course:
    """The course asked for (default: the launch's), if the trainer teaches it; admins: any
    course of their own platform."""
    ctx = _ctx()
    session = db.session()
    course_id = positive_int(raw, ctx.course_id or 0, 2**31) if raw else ctx.course_id
    if course_id is None:
        abort(404)
    allowed = ctx.is_admin or course_id in services.trainer_course_ids(session, ctx.user_id)
    course = session.get(Course, course_id) if allowed else None
    if course is None or course.platform_id != ctx.platform_id:
        abort(404)
    return course


@bp.get("/passport/trainer/")
@launch_required(role="instructor")
def trainer_home() -> Any:
    ctx = _ctx()
    session = db.session()
    courses = (
        list(
            session.scalars(
                select(Course).where(Course.platform_id == ctx.platform_id).order_by(Course.title)
            )
        )
        if ctx.is_admin
        else services.trainer_courses(session, ctx.user_id)
    )
    # The learner lists include people who never opened learnpass, from the first visit on:
    # the LMS roster is read here too, not only by the matrix (at most once per course every few
    # minutes; an administrator's list of every course syncs only the course they came from).
    for course in courses:
        if not ctx.is_admin or course.id == ctx.course_id:
            sync_roster(session, course)
    return render_template(
        "passports/trainer_home.html",
        ctx=ctx,
        courses=courses,
        proposals=services.pending_proposals(
            session, ctx.user_id, is_admin=ctx.is_admin, platform_id=ctx.platform_id
        ),
        # The first learners of each course; the matrix pages through all of them.
        learners={c.id: services.course_learners(session, c.id, HOME_LEARNERS) for c in courses},
        learner_counts={c.id: services.course_learner_count(session, c.id) for c in courses},
    )


HOME_LEARNERS = 100


def _matrix_from_args() -> services.Matrix:
    course = _matrix_course(request.args.get("course"))
    # Learners who never opened learnpass are in the course too: take the roster from the LMS.
    sync_roster(db.session(), course, force=request.args.get("refresh") == "1")
    state = request.args.get("state") or None
    if state not in (None, *services.MATRIX_STATES):
        state = None
    return services.training_matrix(
        db.session(),
        course.id,
        warn_days=_warn_days(),
        state=state,
        training_type_id=positive_int(request.args.get("training"), 0, 2**31) or None,
        name_contains=request.args.get("q", "")[:100],
        group=_group_from_args(course),
    )


def _group_from_args(course: Course) -> LearnerGroup | None:
    """The ``group`` asked for, only if it is one of this course's groups (else 404)."""
    raw = request.args.get("group")
    if not raw:
        return None
    group_id = positive_int(raw, 0, 2**31)
    group = services.group_of_course(db.session(), course.id, group_id) if group_id else None
    if group is None:
        abort(404)
    return group


MATRIX_PAGE_SIZE = 100


@bp.get("/passport/trainer/matrix")
@launch_required(role="instructor")
def matrix() -> Any:
    ctx = _ctx()
    session = db.session()
    table = _matrix_from_args()
    # A page of learners: a course of thousands would be a page of millions of cells. The
    # counts and the downloads still cover every learner.
    pages = max(1, -(-len(table.rows) // MATRIX_PAGE_SIZE))
    page = min(positive_int(request.args.get("page"), 1, 2**31) or 1, pages)
    first = (page - 1) * MATRIX_PAGE_SIZE
    return render_template(
        "passports/matrix.html",
        ctx=ctx,
        matrix=table,
        page_rows=table.rows[first : first + MATRIX_PAGE_SIZE],
        page=page,
        pages=pages,
        first=first,
        page_args={k: v for k, v in request.args.items() if k != "page"},
        states=services.MATRIX_STATES,
        all_training_types=catalogue.training_types(session, ctx.platform_id),
        groups=services.course_groups(session, table.course.id),
        args=request.args,
    )


@bp.get("/passport/trainer/matrix.csv")
@launch_required(role="instructor")
def matrix_csv() -> Any:
    return _download(
        exports.matrix_csv(_matrix_from_args(), _), "text/csv; charset=utf-8", "training-matrix.csv"
    )


@bp.get("/passport/trainer/matrix.xlsx")
@launch_required(role="instructor")
def matrix_xlsx() -> Any:
    return _download(
        exports.matrix_xlsx(_matrix_from_args(), _),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "training-matrix.xlsx",
    )


@bp.post("/passport/trainer/courses/<int:course_id>/required")
@launch_required(role="instructor")
def set_required(course_id: int) -> Any:
    course = _matrix_course(str(course_id))
    ids = [
        i
        for i in (positive_int(v, 0, 2**31) for v in request.form.getlist("training_type_ids"))
        if i
    ]
    # Only types this platform sees; ids of another platform's types are dropped as unknown.
    known = (
        set(
            db.session.scalars(
                select(TrainingType.id).where(
                    TrainingType.id.in_(ids), catalogue.visible_types(_ctx().platform_id)
                )
            )
        )
        if ids
        else set()
    )
    services.set_required_trainings(db.session(), course.id, known)
    flash(_("The required trainings are saved."), "ok")
    return redirect(url_for("passports.matrix", course=course.id), code=303)


# ---------------------------------------------------------------- groups of a course's learners
# Every group route finds the course through the group and checks it like the matrix does, so a
# group id of another course answers 404 whatever the URL says.


def _group_name_message(exc: services.GroupNameError) -> str:
    if exc.reason == "taken":
        return _("This course already has a group with that name. Choose another name.")
    if exc.reason == "too_long":
        return _("The name is too long. Keep it under 255 characters.")
    return _("Give the group a name, for example Night shift.")


def _course_group(group_id: int) -> LearnerGroup:
    group = db.session.get(LearnerGroup, group_id)
    if group is None:
        abort(404)
    _matrix_course(str(group.course_id))
    return group


@bp.get("/passport/trainer/groups")
@launch_required(role="instructor")
def groups() -> Any:
    session = db.session()
    course = _matrix_course(request.args.get("course"))
    return render_template(
        "passports/groups.html",
        ctx=_ctx(),
        course=course,
        groups=services.course_groups(session, course.id),
        error=None,
        name="",
    )


@bp.post("/passport/trainer/courses/<int:course_id>/groups")
@launch_required(role="instructor")
def create_group(course_id: int) -> Any:
    session = db.session()
    course = _matrix_course(str(course_id))
    name = request.form.get("name", "")[:1000]
    try:
        group = services.create_group(session, course.id, name, actor_id=_ctx().user_id)
    except services.GroupNameError as exc:
        session.rollback()
        return render_template(
            "passports/groups.html",
            ctx=_ctx(),
            course=course,
            groups=services.course_groups(session, course.id),
            error=_group_name_message(exc),
            name=name,
        ), 400
    flash(_("Group %(name)s is made. Now tick its learners.", name=group.name), "ok")
    return redirect(url_for("passports.edit_group", group_id=group.id), code=303)


@bp.route("/passport/trainer/groups/<int:group_id>", methods=["GET", "POST"])
@launch_required(role="instructor")
def edit_group(group_id: int) -> Any:
    session = db.session()
    group = _course_group(group_id)
    course = _matrix_course(str(group.course_id))
    error = None
    if request.method == "POST":
        name = request.form.get("name", "")[:1000]
        chosen = {
            i for i in (positive_int(v, 0, 2**31) for v in request.form.getlist("member_ids")) if i
        }
        try:
            services.rename_group(session, group, name)
            count = services.set_group_members(session, group, chosen)
        except services.GroupNameError as exc:
            session.rollback()
            error = _group_name_message(exc)
        else:
            flash(
                ngettext(
                    "Saved: %(name)s has %(num)d learner.",
                    "Saved: %(name)s has %(num)d learners.",
                    count,
                    name=group.name,
                ),
                "ok",
            )
            return redirect(url_for("passports.groups", course=course.id), code=303)
    else:
        # Learners who never opened learnpass can join a group too: take the roster from the LMS.
        sync_roster(session, course)
        name, chosen = group.name, {u.id for u in group.members}
    return render_template(
        "passports/group.html",
        ctx=_ctx(),
        course=course,
        group=group,
        learners=services.course_learners(session, course.id),
        chosen=chosen,
        name=name,
        error=error,
    ), (400 if error else 200)


@bp.post("/passport/trainer/groups/<int:group_id>/delete")
@launch_required(role="instructor")
def delete_group(group_id: int) -> Any:
    group = _course_group(group_id)
    course, name = group.course_id, group.name
    services.delete_group(db.session(), group)
    flash(_("Group %(name)s is deleted. Its learners and their passports stay.", name=name), "ok")
    return redirect(url_for("passports.groups", course=course), code=303)


@bp.get("/passport/trainer/learners/<int:learner_id>")
@launch_required(role="instructor")
def learner_passport(learner_id: int) -> Any:
    learner = _visible_learner(learner_id)
    summary = services.passport_summary(db.session(), learner.id, warn_days=_warn_days())
    return render_template(
        "passports/passport.html", ctx=_ctx(), summary=summary, trainer_view=True
    )


@bp.route("/passport/trainer/learners/<int:learner_id>/entries/new", methods=["GET", "POST"])
@launch_required(role="instructor")
def new_entry(learner_id: int) -> Any:
    ctx = _ctx()
    learner = _visible_learner(learner_id)
    error = None
    if request.method == "POST":
        _limit_upload(UPLOAD_REQUEST_LIMIT)
        session = db.session()
        try:
            data = entry_input(request.form)
            certificate = _certificate_from_request(owner_id=learner.id, uploaded_by_id=ctx.user_id)
            services.add_entry(
                session,
                user_id=learner.id,
                actor_id=ctx.user_id,
                data=data,
                certificate=certificate,
                course_id=ctx.course_id,
                platform_id=ctx.platform_id,
            )
        except (services.PassportError, UploadRefused) as exc:
            session.rollback()
            error = str(exc)
        else:
            flash(_("The training is added to the passport of %(name)s.", name=learner.name), "ok")
            return redirect(url_for("passports.learner_passport", learner_id=learner.id), code=303)
    return render_template(
        "passports/entry_form.html",
        ctx=ctx,
        error=error,
        form=request.form,
        mode="add",
        learner=learner,
        **_form_choices(),
    ), (400 if error else 200)


@bp.get("/passport/trainer/entries/<int:entry_id>")
@launch_required(role="instructor")
def trainer_entry(entry_id: int) -> Any:
    entry = _visible_entry(entry_id)
    return render_template("passports/entry.html", ctx=_ctx(), entry=entry, trainer_view=True)


@bp.get("/passport/trainer/entries/<int:entry_id>/certificate")
@launch_required(role="instructor")
def trainer_certificate(entry_id: int) -> Any:
    entry = _visible_entry(entry_id)
    if entry.certificate is None:
        abort(404)
    return _evidence_download(entry.certificate, _ctx().user_id)


@bp.route("/passport/trainer/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@launch_required(role="instructor")
def edit_entry(entry_id: int) -> Any:
    ctx = _ctx()
    entry = _visible_entry(entry_id)
    error = None
    if request.method == "POST":
        session = db.session()
        try:
            services.correct_entry(
                session,
                entry,
                actor_id=ctx.user_id,
                data=entry_input(request.form),
                note=request.form.get("note", "")[:2000],
                platform_id=ctx.platform_id,
            )
        except services.PassportError as exc:
            session.rollback()
            error = str(exc)
        else:
            flash(_("The correction is saved; the earlier values stay in the history."), "ok")
            return redirect(url_for("passports.trainer_entry", entry_id=entry.id), code=303)
    form = request.form if request.method == "POST" else _entry_as_form(entry)
    return render_template(
        "passports/entry_form.html",
        ctx=ctx,
        error=error,
        form=form,
        mode="edit",
        entry=entry,
        learner=entry.user,
        **_form_choices(),
    ), (400 if error else 200)


def _entry_as_form(entry: PassportEntry) -> dict[str, Any]:
    return {
        "title": entry.title,
        "provider": entry.provider,
        "modality": entry.modality,
        "started_on": entry.started_on.isoformat() if entry.started_on else "",
        "completed_on": entry.completed_on.isoformat() if entry.completed_on else "",
        "hours": str(entry.hours),
        "result": entry.result,
        "training_type_id": str(entry.training_type_id or ""),
        "competence_ids": [str(c.id) for c in entry.competences],
        "evidence_note": entry.evidence_note,
    }


@bp.post("/passport/trainer/entries/<int:entry_id>/credential/reissue")
@launch_required(role="instructor")
def reissue_credential(entry_id: int) -> Any:
    """A trainer issues a revoked entry's credential again, on purpose and with a reason."""
    ctx = _ctx()
    session = db.session()
    entry = _visible_entry(entry_id)
    actor = session.get(User, ctx.user_id)
    assert actor is not None
    reason = request.form.get("reason", "")[:1000]
    if not reason.strip():
        flash(_("Say why the credential is issued again."), "error")
        return redirect(url_for("passports.trainer_entry", entry_id=entry.id), code=303)
    try:
        credentials.reissue_for_entry(
            session,
            entry,
            actor=actor,
            reason=reason,
            base_url=_base_url(),
            issuer_name=_tool_title(),
        )
    except services.PassportError as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        flash(_("A new credential is issued; the revoked copies stay revoked."), "ok")
    return redirect(url_for("passports.trainer_entry", entry_id=entry.id), code=303)


@bp.post("/passport/trainer/entries/<int:entry_id>/decide")
@launch_required(role="instructor")
def decide(entry_id: int) -> Any:
    ctx = _ctx()
    entry = _visible_entry(entry_id)
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        abort(400)
    try:
        services.decide_proposal(
            db.session(),
            entry,
            actor_id=ctx.user_id,
            approve=decision == "approve",
            note=request.form.get("note", "")[:2000],
        )
    except services.PassportError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Approved.") if decision == "approve" else _("Rejected."), "ok")
    return redirect(url_for("passports.trainer_home"), code=303)


# ---------------------------------------------------------------- the administrator


# An administrator is the LMS administrator of one platform: the people, links, credentials and
# exports below are those of the launch's platform only. Training types and competence
# frameworks are the organisation's (read-only here: only the command line changes them) or the
# platform's own (see ``catalogue``). Identities of two platforms are linked
# by whoever runs the installation (`learnpass passport link-identities`).


def _own_person(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or person.platform_id != _ctx().platform_id:
        abort(404)
    return person


@bp.get("/passport/admin/")
@launch_required(role="admin")
def admin_home() -> Any:
    session = db.session()
    people = services.platform_user_ids(_ctx().platform_id)
    page = people_page(session, _ctx().platform_id, request.args.get("page", 1, type=int) or 1)
    return render_template(
        "passports/admin.html",
        ctx=_ctx(),
        page=page,
        training_types=catalogue.training_types(session, _ctx().platform_id),
        frameworks=list(
            session.scalars(
                select(CompetenceFramework)
                .where(catalogue.visible_frameworks(_ctx().platform_id))
                .options(selectinload(CompetenceFramework.competences))
                .order_by(CompetenceFramework.shortname, CompetenceFramework.id)
            )
        ),
        people=page.people,
        links=list(
            session.scalars(
                select(IdentityLink)
                .where(
                    IdentityLink.primary_user_id.in_(people)
                    | IdentityLink.linked_user_id.in_(people)
                )
                .order_by(IdentityLink.id)
            )
        ),
        credentials=list(
            session.scalars(
                select(Credential)
                .where(Credential.user_id.in_(people))
                .order_by(Credential.id.desc())
                .limit(50)
            )
        ),
    )


def _admin_back(message: str, category: str = "ok") -> Any:
    flash(message, category)
    return redirect(url_for("passports.admin_home"), code=303)


def _organisation_wide(exc: catalogue.OrganisationWide, kind: str) -> Any:
    """A platform's administrator named something of the whole organisation: refused, 403."""
    return render_template(
        "passports/catalogue_refused.html", ctx=_ctx(), kind=kind, name=exc.name
    ), 403


@bp.post("/passport/admin/training-types")
@launch_required(role="admin")
def add_training_type() -> Any:
    """Add a training type of this platform, or change one; a change is confirmed first."""
    session = db.session()
    code = request.form.get("code", "").strip()[:100]
    name = request.form.get("name", "").strip()[:255]
    months = positive_int(request.form.get("validity_months"), 0, 1200) or None
    if not code or not name:
        return _admin_back(_("Give the training type a code and a name."), "error")
    try:
        plan = catalogue.plan_training_type(
            session, platform_id=_ctx().platform_id, code=code, name=name, months=months
        )
    except catalogue.OrganisationWide as exc:
        return _organisation_wide(exc, "training_type")
    if plan.existing is not None and not plan.changes:
        return _admin_back(_("Training type %(name)s already has these values.", name=name))
    if plan.needs_confirmation and request.form.get("confirm") != plan.confirmation:
        return render_template("passports/training_type_confirm.html", ctx=_ctx(), plan=plan)
    try:
        catalogue.apply_training_type(session, plan)
    except catalogue.CatalogueError as exc:
        return _admin_back(str(exc), "error")
    return _admin_back(_("Training type %(name)s saved.", name=name))


@bp.post("/passport/admin/frameworks")
@launch_required(role="admin")
def import_framework() -> Any:
    _limit_upload(FRAMEWORK_REQUEST_LIMIT)
    upload = request.files.get("framework")
    if upload is None or not upload.filename:
        return _admin_back(_("Choose the CSV file Moodle exported."), "error")
    try:
        text = upload.stream.read(FRAMEWORK_REQUEST_LIMIT).decode("utf-8")
        framework = frameworks.import_moodle_csv(db.session(), text, platform_id=_ctx().platform_id)
    except UnicodeDecodeError:
        return _admin_back(_("The file is not UTF-8 text; export it again from Moodle."), "error")
    except catalogue.OrganisationWide as exc:
        db.session.rollback()
        return _organisation_wide(exc, "framework")
    except frameworks.FrameworkImportError as exc:
        db.session.rollback()
        return _admin_back(str(exc), "error")
    except IntegrityError:
        # Another import of the same ID number at the same moment; the unique constraints kept one.
        db.session.rollback()
        return _admin_back(catalogue.SAVED_MEANWHILE, "error")
    return _admin_back(
        _(
            "Framework %(name)s imported with %(n)s competences.",
            name=framework.shortname,
            n=len(framework.competences),
        )
    )


@bp.post("/passport/admin/identity-links")
@launch_required(role="admin")
def add_identity_link() -> Any:
    primary = positive_int(request.form.get("primary_user_id"), 0, 2**31)
    linked = positive_int(request.form.get("linked_user_id"), 0, 2**31)
    try:
        services.link_identities(
            db.session(), primary, linked, _ctx().user_id, platform_id=_ctx().platform_id
        )
    except services.PassportError as exc:
        db.session.rollback()
        return _admin_back(str(exc), "error")
    return _admin_back(_("The two identities now share one passport."))


@bp.get("/passport/admin/export.csv")
@launch_required(role="admin")
def organisation_csv() -> Any:
    return _download(
        exports.organisation_csv(db.session(), platform_id=_ctx().platform_id),
        "text/csv; charset=utf-8",
        "passports.csv",
    )


@bp.post("/passport/admin/credentials/<public_id>/revoke")
@launch_required(role="admin")
def revoke_credential(public_id: str) -> Any:
    session = db.session()
    credential = session.scalars(
        select(Credential).where(Credential.public_id == public_id[:64])
    ).first()
    if credential is None or credential.user_id is None:
        abort(404)
    _own_person(credential.user_id)
    actor = session.get(User, _ctx().user_id)
    assert actor is not None
    try:
        credentials.revoke(
            session,
            credential,
            actor=actor,
            reason=request.form.get("reason", "")[:1000],
            base_url=_base_url(),
        )
    except services.PassportError as exc:
        return _admin_back(str(exc), "error")
    if credential.kind == "entry":
        return _admin_back(
            _(
                "The credential is revoked, with every earlier copy; their verification pages "
                "now say so. The learner gets no new one unless a trainer issues it again."
            )
        )
    return _admin_back(_("The credential is revoked; its verification page now says so."))


@bp.route("/passport/admin/people/<int:user_id>/erase", methods=["GET", "POST"])
@launch_required(role="admin")
def erase(user_id: int) -> Any:
    ctx = _ctx()
    session = db.session()
    person = _own_person(user_id)
    error = None
    word = erase_word()
    if request.method == "POST":
        if not is_erase_word(request.form.get("confirm", ""), word):
            error = _("Type the word %(word)s in the box to confirm.", word=word)
        else:
            erasure.erase_learner(session, person.id, actor_id=ctx.user_id, base_url=_base_url())
            return _admin_back(
                _("The person's passport and personal details are erased. An audit record is kept.")
            )
    summary = services.passport_summary(session, person.id)
    return render_template(
        "passports/erase.html", ctx=ctx, person=person, summary=summary, error=error, word=word
    ), (400 if error else 200)


def erase_word() -> str:
    """The word an admin types to confirm an erasure, in the language of the page."""
    return pgettext("the word typed to confirm erasing a person; one word, in capitals", "ERASE")


def is_erase_word(typed: str, word: str) -> bool:
    """Any letter case and stray spaces will do: typing the word at all is the deliberate step.

    The English word is accepted too, so instructions written in English still work.
    """
    given = " ".join(typed.split()).casefold()
    return bool(given) and given in (word.casefold(), "erase")


# ---------------------------------------------------------------- anyone with the link


@bp.get("/verify/<public_id>")
def verify(public_id: str) -> Any:
    result = credentials.verify(db.session(), public_id[:64])
    status = 404 if result.status == "unknown" else 200
    if request.args.get("format") == "json":
        body = {
            "status": result.status,
            "name": result.credential.achievement_name if result.credential else None,
            "valid_from": result.credential.valid_from.isoformat() if result.credential else None,
            "valid_until": result.credential.valid_until.isoformat()
            if result.credential and result.credential.valid_until
            else None,
            "revoked_at": result.credential.revoked_at.isoformat()
            if result.credential and result.credential.revoked_at
            else None,
        }
        return Response(json.dumps(body), status=status, mimetype="application/json")
    return render_template("passports/verify.html", result=result, today=dt.date.today()), status
