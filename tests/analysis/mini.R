# Debrief export: survey mini version 2.
# Run with the working directory set to the folder of the CSV file, e.g.
#   Rscript thisfile.R   or   source("thisfile.R", chdir = TRUE)
# Missing answers are codes in the file (-9 declined, -8 skipped: shown but
# not answered, -7 not shown: show-if) and NA here, with the reason in the
# factor QID_missing. Likert items stay numeric (for means and rank tests);
# QID_f is the labelled ordered factor. The formula guard (a leading ') is
# undone.

d <- read.csv("mini.csv", encoding = "UTF-8", fileEncoding = "UTF-8",
              na.strings = character(0), stringsAsFactors = FALSE,
              check.names = FALSE, colClasses = c(session_label = "character", session_date = "character", lang = "character", uncertainty = "integer", empathy = "integer", why = "character", role = "integer", topics__ethics = "integer", topics__conflict = "integer", topics__grief = "integer", comment = "character"))
unguard <- function(x) sub("^'", "", x)
missing_reason <- function(x) factor(ifelse(x %in% c("-9", -9), "declined",
  ifelse(x %in% c("-8", -8), "skipped", ifelse(x %in% c("-7", -7), "not shown", NA))),
  levels = c("declined", "skipped", "not shown"))
d$session_label <- unguard(d$session_label)
d$session_date <- as.Date(d$session_date)
d$session <- factor(paste(d$session_date, d$session_label))

d$uncertainty_missing <- missing_reason(d$uncertainty)
d$uncertainty[d$uncertainty < 0] <- NA
d$uncertainty_f <- factor(d$uncertainty, levels = 1:5, labels = c("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"), ordered = TRUE)
attr(d$uncertainty, "label") <- "The group fostered my ability to tolerate uncertainty."
d$empathy_missing <- missing_reason(d$empathy)
d$empathy[d$empathy < 0] <- NA
d$empathy_f <- factor(d$empathy, levels = 1:5, labels = c("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"), ordered = TRUE)
attr(d$empathy, "label") <- "It fostered \"empathy\", I'd say."
d$why_missing <- missing_reason(d$why)
d$why[!is.na(d$why_missing)] <- NA
d$why <- unguard(d$why)
attr(d$why, "label") <- "What was missing?"
d$role_missing <- missing_reason(d$role)
d$role[d$role < 0] <- NA
d$role <- factor(d$role, levels = 1:2, labels = c("Clinical", "Administrative"))
attr(d$role, "label") <- "Your role"
d$topics_missing <- missing_reason(d$topics__ethics)
d$topics__ethics[d$topics__ethics < 0] <- NA
attr(d$topics__ethics, "label") <- "Topics for next time: Ethics"
d$topics__conflict[d$topics__conflict < 0] <- NA
attr(d$topics__conflict, "label") <- "Topics for next time: Conflict"
d$topics__grief[d$topics__grief < 0] <- NA
attr(d$topics__grief, "label") <- "Topics for next time: Grief"
d$comment_missing <- missing_reason(d$comment)
d$comment[!is.na(d$comment_missing)] <- NA
d$comment <- unguard(d$comment)
attr(d$comment, "label") <- "Any other comments?"

if (!interactive()) str(d)
