* Debrief export: survey mini version 2.
* Run with the working directory set to the folder of the data file.
* It reads mini.spss.csv: the CSV's rows, with a line break inside a text
* written as \n and a backslash as \\ (SPSS reads no line break inside a
* field); both are undone below, and so is the formula guard (a leading ').
* Missing: -9 declined (prefer not to answer), -8 skipped (shown, not
* answered), -7 not shown (show-if); declared missing below.
* SPSS pads strings with spaces: a text's trailing spaces are not kept.

GET DATA /TYPE=TXT
  /FILE='mini.spss.csv'
  /ENCODING='UTF8'
  /DELCASE=LINE
  /DELIMITERS=","
  /QUALIFIER='"'
  /ARRANGEMENT=DELIMITED
  /FIRSTCASE=2
  /VARIABLES=session_label
  A65 session_date
  A10 lang
  A32 uncertainty
  F2.0 empathy
  F2.0 why
  A1602 role
  F2.0 topics__ethics
  F2.0 topics__conflict
  F2.0 topics__grief
  F2.0 comment
  A2402.

* Undo the formula guard and the line-break escapes.
IF (SUBSTR(session_label, 1, 1) = "'") session_label = SUBSTR(session_label, 2).
IF (SUBSTR(why, 1, 1) = "'") why = SUBSTR(why, 2).
COMPUTE why = REPLACE(why, '\\', X'01').
COMPUTE why = REPLACE(why, '\n', X'0A').
COMPUTE why = REPLACE(why, X'01', '\').
IF (SUBSTR(comment, 1, 1) = "'") comment = SUBSTR(comment, 2).
COMPUTE comment = REPLACE(comment, '\\', X'01').
COMPUTE comment = REPLACE(comment, '\n', X'0A').
COMPUTE comment = REPLACE(comment, X'01', '\').

VARIABLE LABELS session_label 'Session label'
  /session_date 'Session date'
  /lang 'Language of the answers'
  /uncertainty 'The group fostered my ability to tolerate uncertainty.'
  /empathy 'It fostered "empathy", I''d say.'
  /why 'What was missing?'
  /role 'Your role'
  /topics__ethics 'Topics for next time: Ethics'
  /topics__conflict 'Topics for next time: Conflict'
  /topics__grief 'Topics for next time: Grief'
  /comment 'Any other comments?'
.

VALUE LABELS uncertainty 1 'Strongly disagree' 2 'Disagree' 3 'Neutral' 4 'Agree' 5 'Strongly agree' -9 'Declined' -8 'Skipped' -7 'Not shown'
  /empathy 1 'Strongly disagree' 2 'Disagree' 3 'Neutral' 4 'Agree' 5 'Strongly agree' -9 'Declined' -8 'Skipped' -7 'Not shown'
  /role 1 'Clinical' 2 'Administrative' -9 'Declined' -8 'Skipped' -7 'Not shown'
  /topics__ethics 0 'not chosen' 1 'chosen' -9 'Declined' -8 'Skipped' -7 'Not shown'
  /topics__conflict 0 'not chosen' 1 'chosen' -9 'Declined' -8 'Skipped' -7 'Not shown'
  /topics__grief 0 'not chosen' 1 'chosen' -9 'Declined' -8 'Skipped' -7 'Not shown'
.

MISSING VALUES uncertainty (-9, -8, -7)
  /empathy (-9, -8, -7)
  /why ('-9', '-8', '-7')
  /role (-9, -8, -7)
  /topics__ethics (-9, -8, -7)
  /topics__conflict (-9, -8, -7)
  /topics__grief (-9, -8, -7)
  /comment ('-9', '-8', '-7').

VARIABLE LEVEL session_label (NOMINAL)
  /session_date (NOMINAL)
  /lang (NOMINAL)
  /uncertainty (ORDINAL)
  /empathy (ORDINAL)
  /why (NOMINAL)
  /role (NOMINAL)
  /topics__ethics (NOMINAL)
  /topics__conflict (NOMINAL)
  /topics__grief (NOMINAL)
  /comment (NOMINAL).

EXECUTE.
