"""SCORM 1.2 / 2004, cmi5 and AICC learning packages: their import and their run-time, without Flask.

``package.import_package`` checks and imports a zip (``manifest``, ``cmi5`` and ``aicc`` read the
descriptors into ``structure``); ``storage`` keeps the files, ``tables`` the rows; ``attempts``
stores what the run-time commits. Every refusal is a ``errors.PackageRefused``.
"""
