"""A small AICC course built by the tests: the four course files and one HTML AU whose script
speaks HACP with ``fetch`` (GetParam on load, PutParam on Submit, ExitAU on Exit)."""

from __future__ import annotations

from pathlib import Path

from tests.scorm.builders import write_zip

CRS = """[Course]
Course_Creator=learnpass tests
Course_ID=GEO1
Course_System=HTML
Course_Title=Rocks and minerals
Level=1
Max_Fields_CST=2
Total_AUs=1
Total_Blocks=0
Version=3.4
[Course_Behavior]
Max_Normal=1
[Course_Description]
A one-question quiz.
"""
AU = (
    '"system_id","type","command_line","max_time_allowed","time_limit_action","file_name",'
    '"max_score","mastery_score","system_vendor","core_vendor","web_launch","au_password"\r\n'
    '"A1","quiz","","","","quiz/index.html?lang=en","100","{mastery}","","vendor-data","",""\r\n'
)
DES = '"system_id","developer_id","title","description"\r\n"A1","Q1","The quiz","One question"\r\n'
CST = '"block","member"\r\n"ROOT","A1"\r\n'

# The AU: reads aicc_sid / aicc_url from its URL, shows where it was left (Lesson_Location) and
# what it stored ([Core_Lesson]), stores the answer as passed with a score, and exits.
AU_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>The quiz</title></head>
<body><main>
<h1>The quiz</h1>
<p id="location">Loading…</p>
<p id="stored"></p>
<fieldset><legend>Which is a mineral?</legend>
<label><input type="radio" name="q" value="quartz"> Quartz</label>
<label><input type="radio" name="q" value="granite"> Granite</label>
</fieldset>
<button type="button" id="submit">Submit</button>
<button type="button" id="exit">Exit</button>
<p id="result" role="status"></p>
</main>
<script>
(function () {
  var params = new URLSearchParams(location.search);
  var sid = params.get("aicc_sid"), url = params.get("aicc_url");
  var started = Date.now();
  function hacp(command, data) {
    var body = new URLSearchParams({command: command, version: "4.0", session_id: sid,
                                    aicc_data: data || ""});
    return fetch(url, {method: "POST", body: body}).then(function (r) { return r.text(); })
      .then(function (text) {
        var error = /error=(\\d+)/i.exec(text);
        if (!error || error[1] !== "0") throw new Error(text);
        return text;
      });
  }
  function value(text, key) {
    var match = new RegExp("^" + key + "=(.*)$", "im").exec(text);
    return match ? match[1].trim() : "";
  }
  hacp("GetParam").then(function (text) {
    var where = value(text, "Lesson_Location");
    document.getElementById("location").textContent = "Location: " + (where || "(start)") +
      " / " + value(text, "Lesson_Status");
    var lesson = /\\[Core_Lesson\\]\\r?\\n([^\\r\\n\\[]*)/i.exec(text);
    document.getElementById("stored").textContent = "Stored: " + (lesson ? lesson[1] : "");
  });
  document.getElementById("submit").addEventListener("click", function () {
    var chosen = document.querySelector("input[name=q]:checked");
    var right = chosen && chosen.value === "quartz";
    var seconds = Math.max(1, Math.round((Date.now() - started) / 1000));
    var time = "00:00:" + ("0" + Math.min(seconds, 59)).slice(-2);
    var data = "[Core]\\r\\nLesson_Location=question-1\\r\\nLesson_Status=" +
      (right ? "passed" : "failed") + "\\r\\nScore=" + (right ? "80" : "20") +
      "\\r\\nTime=" + time + "\\r\\n[Core_Lesson]\\r\\nanswer=" + (chosen ? chosen.value : "") +
      "\\r\\n";
    hacp("PutParam", data).then(function () {
      document.getElementById("result").textContent = "Saved";
    }, function (e) { document.getElementById("result").textContent = "Not saved: " + e; });
  });
  document.getElementById("exit").addEventListener("click", function () {
    hacp("ExitAU").then(function () {
      document.getElementById("result").textContent = "Finished";
    });
  });
})();
</script>
</body></html>
"""


def aicc_zip(path: Path, *, mastery: str = "") -> Path:
    return write_zip(
        path,
        {
            "geo.crs": CRS,
            "geo.au": AU.format(mastery=mastery),
            "geo.des": DES,
            "geo.cst": CST,
            "quiz/index.html": AU_PAGE,
        },
    )
