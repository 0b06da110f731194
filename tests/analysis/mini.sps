* Debrief export: survey mini version 2.
* Run with the working directory set to the folder of the CSV file.
* Declined (prefer not to answer) is -9, declared missing below;
* an empty cell means not shown or not answered (system missing).

GET DATA /TYPE=TXT
  /FILE='mini.csv'
  /ENCODING='UTF8'
  /DELCASE=LINE
  /DELIMITERS=","
  /QUALIFIER='"'
  /ARRANGEMENT=DELIMITED
  /FIRSTCASE=2
  /VARIABLES=
  session_label A64
  session_date A10
  lang A32
  uncertainty F2.0
  empathy F2.0
  why A802
  role F2.0
  topics__ethics F2.0
  topics__conflict F2.0
  topics__grief F2.0
  comment A1202
.

VARIABLE LABELS
  session_label 'Session label'
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

VALUE LABELS
  uncertainty 1 'Strongly disagree' 2 'Disagree' 3 'Neutral' 4 'Agree' 5 'Strongly agree' -9 'Declined'
  /empathy 1 'Strongly disagree' 2 'Disagree' 3 'Neutral' 4 'Agree' 5 'Strongly agree' -9 'Declined'
  /role 1 'Clinical' 2 'Administrative' -9 'Declined'
  /topics__ethics 0 'not chosen' 1 'chosen' -9 'Declined'
  /topics__conflict 0 'not chosen' 1 'chosen' -9 'Declined'
  /topics__grief 0 'not chosen' 1 'chosen' -9 'Declined'
.

MISSING VALUES
  uncertainty (-9)
  /empathy (-9)
  /role (-9)
  /topics__ethics (-9)
  /topics__conflict (-9)
  /topics__grief (-9).

EXECUTE.
