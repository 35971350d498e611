"""Why a launch was refused, in words a person can act on."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from pylti1p3.exception import ToolConfException

from .adapter import UnknownPlatform


@dataclass(frozen=True)
class Reason:
    status: int
    title: object
    explanation: object
    action: object


REASONS: dict[str, Reason] = {
    "unknown_platform": Reason(
        403,
        _l("This learning platform is not registered"),
        _l(
            "The launch came from a platform (issuer %(issuer)s, client id %(client_id)s) that learnpass does not know."
        ),
        _l(
            "An administrator can register it with: learnpass platform add --issuer %(issuer)s --client-id %(client_id)s ..., or by LTI Dynamic Registration."
        ),
    ),
    "unknown_deployment": Reason(
        403,
        _l("This deployment is not registered"),
        _l("The platform is known, but the deployment it launched from is not: %(detail)s"),
        _l("An administrator can add it with: learnpass platform add-deployment."),
    ),
    "bad_signature": Reason(
        401,
        _l("The launch could not be verified"),
        _l(
            "The launch message's signature is not valid (%(detail)s). It may have been forged or changed on the way."
        ),
        _l(
            "Go back to your course and open the activity again. If it keeps happening, tell your administrator."
        ),
    ),
    "expired": Reason(
        401,
        _l("This launch has expired"),
        _l("The launch message is too old to be accepted."),
        _l(
            "Go back to your course and open the activity again. If the clocks of the servers differ, an administrator should check them."
        ),
    ),
    "replayed": Reason(
        409,
        _l("This launch was already used"),
        _l(
            "Each launch can be used only once, and this one was used before (or its login was never started here)."
        ),
        _l("Go back to your course and open the activity again."),
    ),
    "state": Reason(
        400,
        _l("This sign-in did not start here"),
        _l(
            "Opening learnpass from your course takes two steps, and the second step does not belong to a first step made here."
        ),
        _l("Go back to your course and open the activity again."),
    ),
    "no_cookie": Reason(
        403,
        _l("Open learnpass in a new window"),
        _l(
            "Your browser does not let learnpass keep you signed in inside the course page, or this sign-in was started in another browser. learnpass cannot sign you in here."
        ),
        _l(
            "Use the button below: learnpass opens in a new window, where your browser lets it keep you signed in. If you did not just open an activity in your course, close this page."
        ),
    ),
    "cookies_blocked": Reason(
        403,
        _l("Your browser blocks learnpass's cookie"),
        _l(
            "learnpass needs a cookie to keep you signed in, and your browser did not send it back. Or this sign-in was started in another browser."
        ),
        _l(
            "Allow cookies for this site in your browser's settings, then open the activity again from your course. If you did not just open an activity in your course, close this page."
        ),
    ),
    "bad_message": Reason(
        400,
        _l("The launch message is not one learnpass can use"),
        _l("The platform sent a message that is incomplete or of an unknown type: %(detail)s"),
        _l(
            "Check the tool's settings in the platform. An administrator can see the details in the log."
        ),
    ),
    "missing_token": Reason(
        400,
        _l("No launch message was received"),
        _l(
            "This address is used by your learning platform to open learnpass, and it sent nothing."
        ),
        _l("Open learnpass from your course in the learning platform."),
    ),
    "missing_target": Reason(
        400,
        _l("The login request is incomplete"),
        _l("The platform's login request has no target link."),
        _l("Check the tool's settings in the platform."),
    ),
    "bad_login": Reason(
        400,
        _l("The login request could not be used"),
        _l("%(detail)s"),
        _l("Check the tool's settings in the platform."),
    ),
}


class LaunchRefused(Exception):
    def __init__(self, code: str, **details: str) -> None:
        super().__init__(code)
        self.code = code
        self.details = {"issuer": "", "client_id": "", "detail": "", **details}

    @property
    def reason(self) -> Reason:
        return REASONS[self.code]


def explain_launch_error(exc: BaseException) -> LaunchRefused:
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, UnknownPlatform):
        return LaunchRefused("unknown_platform", issuer=exc.issuer, client_id=exc.client_id or "-")
    if (
        isinstance(exc, ToolConfException)
        or "registration not found" in lowered
        or "client id not registered" in lowered
    ):
        return LaunchRefused("unknown_platform", detail=text)
    if "deployment" in lowered and "not recognised" in lowered:
        return LaunchRefused("unknown_deployment", detail=text)
    if "expired" in lowered:
        return LaunchRefused("expired", detail=text)
    if "nonce" in lowered:
        return LaunchRefused("replayed", detail=text)
    if "state" in lowered:
        return LaunchRefused("state", detail=text)
    if any(
        word in lowered for word in ("signature", "decode", "public key", "kid", "alg", "key set")
    ):
        return LaunchRefused("bad_signature", detail=text)
    if "issuer" in lowered or "login hint" in lowered:
        return LaunchRefused("bad_login", detail=text)
    return LaunchRefused("bad_message", detail=text)
