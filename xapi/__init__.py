"""xAPI for learnpass: statement models and validation, the LRS storage, the emitter, forwarding.

A library: it never imports Flask or lti_tool (its HTTP face is ``lti_tool.lrs``).
"""
