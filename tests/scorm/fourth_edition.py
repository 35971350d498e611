"""The golf "forced sequential order" course in its SCORM 2004 4th Edition form, built from the
shared 3rd Edition sample's SCOs with a rewritten manifest: each part writes its completion to a
global objective through ``adlseq:mapInfo`` (4th Edition's completion map), and the next part
reads it there; a part stays disabled until the one before is completed.

The manifest also carries the other 4th Edition elements a course may state (rollup
considerations, constrained choice, randomization that keeps the order, hideLMSUI), so one
package exercises the whole translation.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .builders import SAMPLES

FORCED_3RD = SAMPLES / "golf-SequencingForcedSequential_SCORM20043rdEdition.zip"
NS = "com.example.golf.forced4th"
ORG = "golf_4th_org"
PARTS = (
    ("playing_item", "playing_resource", "Playing the Game", "playing"),
    ("etiquette_item", "etiquette_resource", "Etiquette", "etiquette"),
    ("handicapping_item", "handicapping_resource", "Handicapping", "handicapping"),
    ("havingfun_item", "havingfun_resource", "Having Fun", "havingfun"),
    ("assessment_item", "assessment_resource", "Quiz", "assessment"),
)


def _item(index: int) -> str:
    identifier, resource, title, key = PARTS[index]
    rules = previous = previous_map = ""
    if index:
        before = PARTS[index - 1][3]
        rules = """
          <imsss:sequencingRules>
            <imsss:preConditionRule>
              <imsss:ruleConditions conditionCombination="any">
                <imsss:ruleCondition referencedObjective="previous_part" operator="not"
                    condition="completed"/>
                <imsss:ruleCondition referencedObjective="previous_part" operator="not"
                    condition="activityProgressKnown"/>
              </imsss:ruleConditions>
              <imsss:ruleAction action="disabled"/>
            </imsss:preConditionRule>
          </imsss:sequencingRules>"""
        previous = '<imsss:objective objectiveID="previous_part"/>'
        previous_map = f"""
            <adlseq:objective objectiveID="previous_part">
              <adlseq:mapInfo targetObjectiveID="{NS}.{before}_completed"
                  readCompletionStatus="true" writeCompletionStatus="false"/>
            </adlseq:objective>"""
    return f"""
      <item identifier="{identifier}" identifierref="{resource}">
        <title>{title}</title>
        <imsss:sequencing IDRef="common_seq_rules">{rules}
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="{key}_done">
              <imsss:mapInfo targetObjectiveID="{NS}.{key}_satisfied"
                  readSatisfiedStatus="false" writeSatisfiedStatus="true"/>
            </imsss:primaryObjective>
            {previous}
          </imsss:objectives>
          <adlseq:objectives>
            <adlseq:objective objectiveID="{key}_done">
              <adlseq:mapInfo targetObjectiveID="{NS}.{key}_completed"
                  readCompletionStatus="false" writeCompletionStatus="true"
                  writeProgressMeasure="true"/>
            </adlseq:objective>{previous_map}
          </adlseq:objectives>
        </imsss:sequencing>
        <adlnav:presentation>
          <adlnav:navigationInterface><adlnav:hideLMSUI>suspendAll</adlnav:hideLMSUI>
          </adlnav:navigationInterface>
        </adlnav:presentation>
      </item>"""


def manifest(resources: str) -> str:
    items = "".join(_item(i) for i in range(len(PARTS)))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{NS}" version="1"
    xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
    xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
    xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
    xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="{ORG}">
    <organization identifier="{ORG}" adlseq:objectivesGlobalToSystem="false">
      <title>Golf Explained - Forced Order (4th Edition)</title>{items}
      <imsss:sequencing>
        <imsss:controlMode choice="true" flow="true"/>
        <imsss:randomizationControls randomizationTiming="never" selectionTiming="never"/>
        <adlseq:constrainedChoiceConsiderations preventActivation="false" constrainChoice="false"/>
        <adlseq:rollupConsiderations requiredForSatisfied="always"
            requiredForCompleted="ifAttempted" measureSatisfactionIfActive="true"/>
      </imsss:sequencing>
    </organization>
  </organizations>
  {resources}
  <imsss:sequencingCollection>
    <imsss:sequencing ID="common_seq_rules">
      <imsss:rollupRules objectiveMeasureWeight="0"/>
      <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
    </imsss:sequencing>
  </imsss:sequencingCollection>
</manifest>"""


def fourth_edition_forced(target: Path) -> Path:
    """The zip at ``target``: the 3rd Edition sample's files, the manifest rewritten."""
    with zipfile.ZipFile(FORCED_3RD) as source, zipfile.ZipFile(target, "w") as zip_out:
        original = source.read("imsmanifest.xml").decode()
        resources = re.search(r"<resources>.*?</resources>", original, re.S)
        assert resources is not None
        for info in source.infolist():
            if info.filename != "imsmanifest.xml":
                zip_out.writestr(info, source.read(info))
        zip_out.writestr("imsmanifest.xml", manifest(resources.group(0)))
    return target
