# Debrief export: survey mini version 2.
# Run with the working directory set to the folder of the CSV file, e.g.
#   Rscript thisfile.R   or   source("thisfile.R", chdir = TRUE)
# Declined (prefer not to answer) is -9 in the file and NA here (see the
# *_declined columns); an empty cell (not shown / not answered) is NA.
# Likert items stay numeric (for means and rank tests); X_f is the labelled
# ordered factor.

d <- read.csv("mini.csv", encoding = "UTF-8", fileEncoding = "UTF-8",
              na.strings = "", stringsAsFactors = FALSE,
              colClasses = c(session_label = "character", session_date = "character", lang = "character"))
d$session_date <- as.Date(d$session_date)
d$session <- factor(paste(d$session_date, d$session_label))

d$uncertainty_declined <- d$uncertainty %in% -9
d$uncertainty[which(d$uncertainty == -9)] <- NA
d$uncertainty_f <- factor(d$uncertainty, levels = 1:5, labels = c("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"), ordered = TRUE)
attr(d$uncertainty, "label") <- "The group fostered my ability to tolerate uncertainty."
d$empathy_declined <- d$empathy %in% -9
d$empathy[which(d$empathy == -9)] <- NA
d$empathy_f <- factor(d$empathy, levels = 1:5, labels = c("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"), ordered = TRUE)
attr(d$empathy, "label") <- "It fostered \"empathy\", I'd say."
d$why[which(d$why == "-9")] <- NA
d$why <- sub("^'([-=+@\t\r])", "\\1", d$why)  # undo the formula guard
attr(d$why, "label") <- "What was missing?"
d$role_declined <- d$role %in% -9
d$role[which(d$role == -9)] <- NA
d$role <- factor(d$role, levels = 1:2, labels = c("Clinical", "Administrative"))
attr(d$role, "label") <- "Your role"
d$topics__ethics[which(d$topics__ethics == -9)] <- NA
attr(d$topics__ethics, "label") <- "Topics for next time: Ethics"
d$topics__conflict[which(d$topics__conflict == -9)] <- NA
attr(d$topics__conflict, "label") <- "Topics for next time: Conflict"
d$topics__grief[which(d$topics__grief == -9)] <- NA
attr(d$topics__grief, "label") <- "Topics for next time: Grief"
d$comment[which(d$comment == "-9")] <- NA
d$comment <- sub("^'([-=+@\t\r])", "\\1", d$comment)  # undo the formula guard
attr(d$comment, "label") <- "Any other comments?"

str(d)
