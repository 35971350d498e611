"""The trainer's pages: their courses, the matrix and its required trainings, a learner's
passport, entries added or corrected by hand, credentials reissued and proposals decided.

Pages that take a person, entry or course id from the URL check it against what the launched
user may see and answer 404 otherwise, so ids cannot be probed.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..extensions import db
from ..lti.context import launch_required
from ..lti.roster import sync_roster
from ..models import Course, User
from . import (
    catalogue,
    course_matrix,
    credentials,
    entries,
    errors,
    exports,
    learner_groups,
    overview,
    roster,
)
from .blueprint import (
    UPLOAD_REQUEST_LIMIT,
    base_url,
    bp,
    download,
    entry_and_certificate,
    evidence_download,
    form_choices,
    launch_ctx,
    limit_upload,
    warn_days_asked,
)
from .display import hours_text
from .entry_access import visible_entry
from .forms import EntryFormError, entry_input, positive_int
from .models import LearnerGroup, PassportEntry, TrainingType
from .uploads import UploadRefused


def _visible_learner(learner_id: int) -> User:
    ctx = launch_ctx()
    session = db.session()
    if not roster.trainer_may_see(
        session, ctx.user_id, learner_id, is_admin=ctx.is_admin, platform_id=ctx.platform_id
    ):
        abort(404)
    learner = session.get(User, learner_id)
    assert learner is not None
    return learner


def taught_course(raw: str | None) -> Course:
    """The course asked for (default: the launch's), if the trainer teaches it; admins: any
    course of their own platform."""
    ctx = launch_ctx()
    session = db.session()
    course_id = positive_int(raw, ctx.course_id or 0, 2**31) if raw else ctx.course_id
    if course_id is None:
        abort(404)
    allowed = ctx.is_admin or course_id in roster.trainer_course_ids(session, ctx.user_id)
    course = session.get(Course, course_id) if allowed else None
    if course is None or course.platform_id != ctx.platform_id:
        abort(404)
    return course


@bp.get("/passport/trainer/")
@launch_required(role="instructor")
def trainer_home() -> Any:
    ctx = launch_ctx()
    session = db.session()
    courses = (
        list(
            session.scalars(
                select(Course).where(Course.platform_id == ctx.platform_id).order_by(Course.title)
            )
        )
        if ctx.is_admin
        else roster.trainer_courses(session, ctx.user_id)
    )
    # The learner lists include people who never opened learnpass, from the first visit on:
    # the LMS roster is read here too, not only by the matrix (at most once per course every few
    # minutes; an administrator's list of every course syncs only the course they came from).
    for course in courses:
        if not ctx.is_admin or course.id == ctx.course_id:
            sync_roster(session, course)
    counts = {c.id: roster.course_learner_count(session, c.id) for c in courses}
    return render_template(
        "passports/trainer_home.html",
        ctx=ctx,
        courses=courses,
        proposals=roster.pending_proposals(
            session, ctx.user_id, is_admin=ctx.is_admin, platform_id=ctx.platform_id
        ),
        # The first learners of each course; the matrix pages through all of them.
        learners={
            c.id: roster.first_learners(session, c.id, HOME_LEARNERS, counts[c.id]) for c in courses
        },
        learner_counts=counts,
    )


HOME_LEARNERS = 100


def _matrix_from_args(page: int | None = None) -> course_matrix.Matrix:
    course = taught_course(request.args.get("course"))
    # Learners who never opened learnpass are in the course too: take the roster from the LMS.
    sync_roster(db.session(), course, force=request.args.get("refresh") == "1")
    state = request.args.get("state") or None
    if state not in (None, *course_matrix.MATRIX_STATES):
        state = None
    return course_matrix.training_matrix(
        db.session(),
        course.id,
        warn_days=warn_days_asked(),
        state=state,
        training_type_id=positive_int(request.args.get("training"), 0, 2**31) or None,
        name_contains=request.args.get("q", "")[:100],
        group=_group_from_args(course),
        page=page,
        page_size=MATRIX_PAGE_SIZE,
    )


def _group_from_args(course: Course) -> LearnerGroup | None:
    """The ``group`` asked for, only if it is one of this course's groups (else 404)."""
    raw = request.args.get("group")
    if not raw:
        return None
    group_id = positive_int(raw, 0, 2**31)
    group = learner_groups.group_of_course(db.session(), course.id, group_id) if group_id else None
    if group is None:
        abort(404)
    return group


MATRIX_PAGE_SIZE = 100


@bp.get("/passport/trainer/matrix")
@launch_required(role="instructor")
def matrix() -> Any:
    ctx = launch_ctx()
    session = db.session()
    # A page of learners: a course of thousands would be a page of millions of cells. The
    # counts and the downloads still cover every learner.
    table = _matrix_from_args(page=positive_int(request.args.get("page"), 1, 2**31) or 1)
    pages = max(1, -(-table.total // MATRIX_PAGE_SIZE))
    return render_template(
        "passports/matrix.html",
        ctx=ctx,
        matrix=table,
        page_rows=table.rows,
        page=table.first // MATRIX_PAGE_SIZE + 1,
        pages=pages,
        first=table.first,
        page_args={k: v for k, v in request.args.items() if k != "page"},
        states=course_matrix.MATRIX_STATES,
        all_training_types=catalogue.training_types(session, ctx.platform_id),
        groups=learner_groups.course_groups(session, table.course.id),
        args=request.args,
    )


@bp.get("/passport/trainer/matrix.csv")
@launch_required(role="instructor")
def matrix_csv() -> Any:
    return download(
        exports.matrix_csv(_matrix_from_args(), _), "text/csv; charset=utf-8", "training-matrix.csv"
    )


@bp.get("/passport/trainer/matrix.xlsx")
@launch_required(role="instructor")
def matrix_xlsx() -> Any:
    return download(
        exports.matrix_xlsx(_matrix_from_args(), _),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "training-matrix.xlsx",
    )


@bp.post("/passport/trainer/courses/<int:course_id>/required")
@launch_required(role="instructor")
def set_required(course_id: int) -> Any:
    course = taught_course(str(course_id))
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
                    TrainingType.id.in_(ids), catalogue.visible_types(launch_ctx().platform_id)
                )
            )
        )
        if ids
        else set()
    )
    course_matrix.set_required_trainings(db.session(), course.id, known)
    flash(_("The required trainings are saved."), "ok")
    return redirect(url_for("passports.matrix", course=course.id), code=303)


@bp.get("/passport/trainer/learners/<int:learner_id>")
@launch_required(role="instructor")
def learner_passport(learner_id: int) -> Any:
    learner = _visible_learner(learner_id)
    summary = overview.passport_summary(db.session(), learner.id, warn_days=warn_days_asked())
    return render_template(
        "passports/passport.html", ctx=launch_ctx(), summary=summary, trainer_view=True
    )


@bp.route("/passport/trainer/learners/<int:learner_id>/entries/new", methods=["GET", "POST"])
@launch_required(role="instructor")
def new_entry(learner_id: int) -> Any:
    ctx = launch_ctx()
    learner = _visible_learner(learner_id)
    error = None
    if request.method == "POST":
        limit_upload(UPLOAD_REQUEST_LIMIT)
        session = db.session()
        try:
            data, certificate = entry_and_certificate(
                owner_id=learner.id, uploaded_by_id=ctx.user_id
            )
            entries.add_entry(
                session,
                user_id=learner.id,
                actor_id=ctx.user_id,
                data=data,
                certificate=certificate,
                course_id=ctx.course_id,
                platform_id=ctx.platform_id,
            )
        except (errors.PassportError, UploadRefused) as exc:
            session.rollback()
            error = errors.message(exc)
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
        **form_choices(),
    ), (400 if error else 200)


@bp.route("/passport/trainer/courses/<int:course_id>/entries/new", methods=["GET", "POST"])
@launch_required(role="instructor")
def bulk_entry(course_id: int) -> Any:
    """One training for many learners of a course: the form once, the roster with checkboxes."""
    ctx = launch_ctx()
    session = db.session()
    course = taught_course(str(course_id))
    if request.method == "GET":
        sync_roster(session, course)
    learners = roster.course_learners(session, course.id)
    chosen = {
        i for i in (positive_int(v, 0, 2**31) for v in request.form.getlist("learner_ids")) if i
    }
    error = None
    if request.method == "POST":
        # Ids of people outside the course are dropped, as in the groups.
        ticked = [u.id for u in learners if u.id in chosen]
        try:
            # Every problem at once: the form's and a roster with nobody ticked.
            problems: list[str] = []
            try:
                data = entry_input(request.form)
            except EntryFormError as exc:
                problems += exc.problems
            if not ticked:
                problems.append(_("Tick at least one learner."))
            if problems:
                raise EntryFormError(problems)
            added = entries.add_entries(
                session,
                user_ids=ticked,
                actor_id=ctx.user_id,
                data=data,
                course_id=course.id,
                platform_id=ctx.platform_id,
            )
        except errors.PassportError as exc:
            session.rollback()
            error = errors.message(exc)
        else:
            flash(
                ngettext(
                    "%(title)s is added to the passport of %(num)d learner.",
                    "%(title)s is added to the passports of %(num)d learners.",
                    len(added),
                    title=data.title,
                ),
                "ok",
            )
            return redirect(url_for("passports.matrix", course=course.id), code=303)
    return render_template(
        "passports/entry_form.html",
        ctx=ctx,
        error=error,
        form=request.form,
        mode="bulk",
        course=course,
        learners=learners,
        chosen=chosen,
        **form_choices(),
    ), (400 if error else 200)


@bp.get("/passport/trainer/entries/<int:entry_id>")
@launch_required(role="instructor")
def trainer_entry(entry_id: int) -> Any:
    entry = visible_entry(entry_id)
    return render_template(
        "passports/entry.html",
        ctx=launch_ctx(),
        entry=entry,
        trainer_view=True,
        training_types=form_choices()["training_types"],
    )


@bp.get("/passport/trainer/entries/<int:entry_id>/certificate")
@launch_required(role="instructor")
def trainer_certificate(entry_id: int) -> Any:
    entry = visible_entry(entry_id)
    if entry.certificate is None:
        abort(404)
    return evidence_download(entry.certificate, launch_ctx().user_id)


@bp.route("/passport/trainer/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@launch_required(role="instructor")
def edit_entry(entry_id: int) -> Any:
    ctx = launch_ctx()
    entry = visible_entry(entry_id)
    error = None
    if request.method == "POST":
        session = db.session()
        try:
            entries.correct_entry(
                session,
                entry,
                actor_id=ctx.user_id,
                data=entry_input(request.form),
                note=request.form.get("note", "")[:2000],
                platform_id=ctx.platform_id,
            )
        except errors.PassportError as exc:
            session.rollback()
            error = errors.message(exc)
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
        **form_choices(),
    ), (400 if error else 200)


def _entry_as_form(entry: PassportEntry) -> dict[str, Any]:
    return {
        "title": entry.title,
        "provider": entry.provider,
        "modality": entry.modality,
        "started_on": entry.started_on.isoformat() if entry.started_on else "",
        "completed_on": entry.completed_on.isoformat() if entry.completed_on else "",
        "hours": hours_text(entry.hours),
        "result": entry.result,
        "training_type_id": str(entry.training_type_id or ""),
        "competence_ids": [str(c.id) for c in entry.competences],
        "evidence_note": entry.evidence_note,
    }


@bp.post("/passport/trainer/entries/<int:entry_id>/credential/reissue")
@launch_required(role="instructor")
def reissue_credential(entry_id: int) -> Any:
    """A trainer issues a revoked entry's credential again, on purpose and with a reason."""
    ctx = launch_ctx()
    session = db.session()
    entry = visible_entry(entry_id)
    actor = session.get(User, ctx.user_id)
    assert actor is not None
    reason = request.form.get("reason", "")[:1000]
    if not reason.strip():
        flash(_("Say why the credential is issued again."), "error")
        return redirect(url_for("passports.trainer_entry", entry_id=entry.id), code=303)
    from .document_routes import issuer_image_url, issuer_of

    issuer = issuer_of(entry.user.platform_id or ctx.platform_id)
    try:
        credentials.reissue_for_entry(
            session,
            entry,
            actor=actor,
            reason=reason,
            base_url=base_url(),
            issuer_name=issuer.name,
            issuer_image=issuer_image_url(issuer),
        )
    except errors.PassportError as exc:
        session.rollback()
        flash(errors.message(exc), "error")
    else:
        flash(_("A new credential is issued; the revoked copies stay revoked."), "ok")
    return redirect(url_for("passports.trainer_entry", entry_id=entry.id), code=303)


@bp.post("/passport/trainer/entries/<int:entry_id>/decide")
@launch_required(role="instructor")
def decide(entry_id: int) -> Any:
    ctx = launch_ctx()
    entry = visible_entry(entry_id)
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        abort(400)
    try:
        entries.decide_proposal(
            db.session(),
            entry,
            actor_id=ctx.user_id,
            approve=decision == "approve",
            note=request.form.get("note", "")[:2000],
            training_type_id=positive_int(request.form.get("training_type_id"), 0, 2**31) or None,
            platform_id=ctx.platform_id,
        )
    except errors.PassportError as exc:
        db.session.rollback()
        flash(_decision_refusal(exc), "error")
        return redirect(url_for("passports.trainer_entry", entry_id=entry.id), code=303)
    flash(_("Approved.") if decision == "approve" else _("Rejected."), "ok")
    if request.form.get("back") == "entry":
        return redirect(url_for("passports.trainer_entry", entry_id=entry.id), code=303)
    return redirect(url_for("passports.trainer_home"), code=303)


def _decision_refusal(exc: errors.PassportError) -> str:
    if str(exc) == "Unknown training type.":
        return _("Choose one of the training types in the list.")
    return _("This proposal has already been decided.")
