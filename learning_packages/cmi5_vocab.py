"""cmi5's names for the xAPI vocabulary it uses (section 9) and the constants of its launch.

The IRIs themselves live in the one vocabulary, ``xapi/vocab.py``; section numbers refer to the
cmi5 specification (AICC/CMI-5_Spec_Current, ``cmi5_spec.md``).
"""

from __future__ import annotations

import datetime as dt

from xapi.vocab import ActivityType, Category, Extension, Verb

LAUNCHED = Verb.LAUNCHED
INITIALIZED = Verb.INITIALIZED
COMPLETED = Verb.COMPLETED
PASSED = Verb.PASSED
FAILED = Verb.FAILED
TERMINATED = Verb.TERMINATED
VOIDED = Verb.VOIDED
ABANDONED = Verb.ABANDONED
WAIVED = Verb.WAIVED
SATISFIED = Verb.SATISFIED
AU_VERBS = {INITIALIZED, COMPLETED, PASSED, FAILED, TERMINATED}
LMS_VERBS = {LAUNCHED, ABANDONED, WAIVED, SATISFIED}

CATEGORY_CMI5 = Category.CMI5
CATEGORY_MOVEON = Category.CMI5_MOVEON
EXT_SESSION = Extension.CMI5_SESSION_ID
EXT_MASTERY = Extension.CMI5_MASTERY_SCORE
EXT_LAUNCH_MODE = Extension.CMI5_LAUNCH_MODE
EXT_LAUNCH_URL = Extension.CMI5_LAUNCH_URL
EXT_MOVE_ON = Extension.CMI5_MOVE_ON
EXT_LAUNCH_PARAMETERS = Extension.CMI5_LAUNCH_PARAMETERS
EXT_REASON = Extension.CMI5_REASON
EXT_PROGRESS = Extension.PROGRESS
TYPE_BLOCK = ActivityType.CMI5_BLOCK
TYPE_COURSE = ActivityType.CMI5_COURSE

LAUNCH_DATA_STATE = "LMS.LaunchData"
# 11: the agent profile document an AU reads on start-up, which the LMS provides.
LEARNER_PREFERENCES_PROFILE = "cmi5LearnerPreferences"
# 10.2.2: Normal records satisfaction; Browse and Review must not (initialized, terminated only).
LAUNCH_MODES = ("Normal", "Browse", "Review")
# 9.5.5.2: the reasons an LMS gives for waiving an AU.
WAIVE_REASONS = ("Tested Out", "Equivalent AU", "Equivalent Outside Activity", "Administrative")
MOVE_ON_VALUES = ("Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed", "NotApplicable")
LAUNCH_PARAMETER_NAMES = ("endpoint", "fetch", "actor", "registration", "activityId")
SESSION_LIFETIME = dt.timedelta(hours=4)  # the auth-token lives as long as the session (8.2.1)
