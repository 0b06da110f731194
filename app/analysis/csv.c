/* csv: one survey version's responses as CSV, with a codebook, SPSS syntax and an R script.
 *
 * Variables (documented in docs/ANALYSIS.md):
 *   session_label, session_date, lang
 *   QID            Likert: 1..scale; single choice: option position 1..n
 *   QID__OPTID     multiple choice: 1 chosen, 0 not chosen (one column per option)
 *   QID            free text (UTF-8)
 * "Prefer not to answer" is ANALYSIS_DECLINED_CODE (-9) in every column of the question;
 * a question not shown (show-if) or not answered is an empty cell.
 *
 * Rows are sorted by session date, session label and then by the row's own text, so the
 * order says nothing about when a response was given or imported. Text-only files are
 * shuffled instead (there is nothing to sort them by that would not group them).
 *
 * Files are built in memory (wiped afterwards) and written atomically: FILE.csv (0600, it
 * holds answers), FILE.codebook.csv, FILE.sps, FILE.R (0644, no answers).
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "fsutil.h"
#include "sbuf.h"
#include "secmem.h"

/* ---------------------------------------------------------------- fields */

static int needs_guard(const char *s)
{
    return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
}

static int needs_quotes(const char *s, int guard)
{
    return guard || strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' ||
           (s[0] && s[strlen(s) - 1] == ' ');
}

/* A text cell: formula guard, then RFC 4180 quoting (quotes doubled). */
static void field(Sbuf *b, const char *s)
{
    int guard = needs_guard(s);
    if (!needs_quotes(s, guard)) {
        sbuf_puts(b, s);
        return;
    }
    sbuf_puts(b, "\"");
    if (guard)
        sbuf_puts(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sbuf_puts(b, "\"\"");
        else
            sbuf_add(b, p, 1);
    }
    sbuf_puts(b, "\"");
}

void analysis_csv_field(FILE *f, const char *s)
{
    Sbuf b = {0};
    field(&b, s);
    if (b.data)
        fputs(b.data, f);
    sbuf_free(&b);
}

/* ---------------------------------------------------------------- layout */

static void header(Sbuf *b, const Survey *s, int mode)
{
    sbuf_puts(b, "session_label,session_date,lang");
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind == SURVEY_TEXT && mode == ANALYSIS_CSV_NO_TEXT)
            continue;
        if (sq->kind == SURVEY_MULTI) {
            for (int o = 0; o < sq->n_options; o++)
                sbuf_printf(b, ",%s__%s", sq->id, sq->options[o].id);
        } else {
            sbuf_printf(b, ",%s", sq->id);
        }
    }
    sbuf_puts(b, "\r\n");
}

static void row(Sbuf *b, const AdbSurveyData *sd, const AdbResponse *r, int mode)
{
    const Survey *s = sd->survey;
    const AdbSession *ses = &sd->sessions[r->session];
    field(b, ses->label);
    sbuf_printf(b, ",%s,", ses->date);
    field(b, r->lang);
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        const AdbCell *c = &r->cells[q];
        if (sq->kind == SURVEY_TEXT && mode == ANALYSIS_CSV_NO_TEXT)
            continue;
        if (sq->kind == SURVEY_MULTI) {
            for (int o = 0; o < sq->n_options; o++) {
                if (c->state == ANSWER_DECLINED)
                    sbuf_printf(b, ",%d", ANALYSIS_DECLINED_CODE);
                else if (c->state == ANSWER_GIVEN)
                    sbuf_printf(b, ",%d", (c->chosen >> o) & 1u ? 1 : 0);
                else
                    sbuf_puts(b, ",");
            }
            continue;
        }
        sbuf_puts(b, ",");
        if (c->state == ANSWER_DECLINED) {
            sbuf_printf(b, "%d", ANALYSIS_DECLINED_CODE);
        } else if (c->state == ANSWER_GIVEN) {
            if (sq->kind == SURVEY_LIKERT)
                sbuf_printf(b, "%d", c->value);
            else if (sq->kind == SURVEY_SINGLE)
                sbuf_printf(b, "%d", c->value + 1);
            else if (c->text)
                field(b, c->text);
        }
    }
    sbuf_puts(b, "\r\n");
}

typedef struct RowRef {
    const AdbSession *session;
    char *text;
} RowRef;

static int row_cmp(const void *pa, const void *pb)
{
    const RowRef *a = pa, *b = pb;
    int c = strcmp(a->session->date, b->session->date);
    if (c == 0)
        c = strcmp(a->session->label, b->session->label);
    if (c == 0)
        c = strcmp(a->text, b->text);
    return c;
}

/* FILE.csv -> FILE + suffix (".codebook.csv", ".sps", ".R"). */
static int sibling(const char *csv_path, const char *suffix, char *out, size_t cap, DbError *err)
{
    size_t n = strlen(csv_path);
    if (n > 4 && strcmp(csv_path + n - 4, ".csv") == 0)
        n -= 4;
    int w = snprintf(out, cap, "%.*s%s", (int)n, csv_path, suffix);
    if (w < 0 || (size_t)w >= cap)
        return dberr_set(err, DB_ELIMIT, "%s: path too long", csv_path);
    return DB_OK;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static const char *kind_name(SurveyKind k)
{
    switch (k) {
    case SURVEY_LIKERT:
        return "likert";
    case SURVEY_SINGLE:
        return "single";
    case SURVEY_MULTI:
        return "multi";
    case SURVEY_TEXT:
        return "text";
    }
    return "?";
}

/* ---------------------------------------------------------------- codebook */

static void codebook(Sbuf *b, const Survey *s, int mode)
{
    char tmp[4096];
    sbuf_puts(b, "variable,question_id,section,type,question,values,missing,scale_direction,"
                 "shown_if\r\n");
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind == SURVEY_TEXT && mode == ANALYSIS_CSV_NO_TEXT)
            continue;
        char shown[256] = "";
        if (sq->show_if_question >= 0) {
            const SurveyQuestion *c = &s->questions[sq->show_if_question];
            size_t pos = (size_t)snprintf(shown, sizeof shown, "%s in {", c->id);
            int first = 1;
            for (int v = 0; v < 32 && pos < sizeof shown; v++) {
                if (!((sq->show_if_mask >> v) & 1u))
                    continue;
                int w =
                    c->kind == SURVEY_LIKERT
                        ? snprintf(shown + pos, sizeof shown - pos, "%s%d", first ? "" : ",", v + 1)
                        : snprintf(shown + pos, sizeof shown - pos, "%s%s", first ? "" : ",",
                                   v < c->n_options ? c->options[v].id : "?");
                if (w > 0)
                    pos += (size_t)w;
                first = 0;
            }
            if (pos < sizeof shown - 1)
                snprintf(shown + pos, sizeof shown - pos, "}");
        }
        int n_vars = sq->kind == SURVEY_MULTI ? sq->n_options : 1;
        for (int v = 0; v < n_vars; v++) {
            Sbuf values = {0};
            if (sq->kind == SURVEY_MULTI) {
                snprintf(tmp, sizeof tmp, "%s__%s", sq->id, sq->options[v].id);
                sbuf_puts(&values, "0=not chosen; 1=chosen");
            } else {
                snprintf(tmp, sizeof tmp, "%s", sq->id);
                if (sq->kind == SURVEY_LIKERT)
                    for (int a = 0; a < sq->scale; a++)
                        sbuf_printf(&values, "%s%d=%s", a ? "; " : "", a + 1,
                                    survey_text(&sq->anchors[a], 0));
                else if (sq->kind == SURVEY_SINGLE)
                    for (int o = 0; o < sq->n_options; o++)
                        sbuf_printf(&values, "%s%d=%s (%s)", o ? "; " : "", o + 1,
                                    survey_text(&sq->options[o].text, 0), sq->options[o].id);
            }
            field(b, tmp);
            sbuf_puts(b, ",");
            field(b, sq->id);
            sbuf_puts(b, ",");
            field(b, s->sections[sq->section].id);
            sbuf_printf(b, ",%s,", kind_name(sq->kind));
            if (sq->kind == SURVEY_MULTI) {
                Sbuf qt = {0};
                sbuf_printf(&qt, "%s: %s", survey_text(&sq->text, 0),
                            survey_text(&sq->options[v].text, 0));
                field(b, qt.data ? qt.data : "");
                sbuf_free(&qt);
            } else {
                field(b, survey_text(&sq->text, 0));
            }
            sbuf_puts(b, ",");
            field(b, values.data ? values.data : "");
            sbuf_free(&values);
            snprintf(tmp, sizeof tmp,
                     "declined (prefer not to answer) = %d; empty = not shown or not answered",
                     ANALYSIS_DECLINED_CODE);
            sbuf_puts(b, ",");
            field(b, sq->prefer_not ? tmp : "empty = not shown or not answered");
            sbuf_puts(b, ",");
            if (sq->kind == SURVEY_LIKERT) {
                snprintf(tmp, sizeof tmp, "ascending: 1=%s ... %d=%s",
                         survey_text(&sq->anchors[0], 0), sq->scale,
                         survey_text(&sq->anchors[sq->scale - 1], 0));
                field(b, tmp);
            }
            sbuf_puts(b, ",");
            field(b, shown);
            sbuf_puts(b, "\r\n");
        }
    }
}

/* ---------------------------------------------------------------- SPSS */

static void sps_string(Sbuf *b, const char *s)
{
    sbuf_puts(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            sbuf_puts(b, "''");
        else if (*p == '\n' || *p == '\r')
            sbuf_puts(b, " ");
        else
            sbuf_add(b, p, 1);
    }
    sbuf_puts(b, "'");
}

static void spss(Sbuf *b, const Survey *s, const char *csv_name, int mode)
{
    sbuf_printf(b, "* Debrief export: survey %s version %u.\n", s->id, s->version);
    sbuf_puts(b, "* Run with the working directory set to the folder of the CSV file.\n"
                 "* Declined (prefer not to answer) is -9, declared missing below;\n"
                 "* an empty cell means not shown or not answered (system missing).\n\n");
    sbuf_puts(b, "GET DATA /TYPE=TXT\n  /FILE=");
    sps_string(b, csv_name);
    sbuf_puts(b, "\n  /ENCODING='UTF8'\n  /DELCASE=LINE\n  /DELIMITERS=\",\"\n"
                 "  /QUALIFIER='\"'\n  /ARRANGEMENT=DELIMITED\n  /FIRSTCASE=2\n"
                 "  /VARIABLES=\n  session_label A64\n  session_date A10\n  lang A32\n");
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind == SURVEY_TEXT) {
            if (mode != ANALYSIS_CSV_NO_TEXT)
                sbuf_printf(b, "  %s A%d\n", sq->id, 4 * sq->max_length + 2);
        } else if (sq->kind == SURVEY_MULTI) {
            for (int o = 0; o < sq->n_options; o++)
                sbuf_printf(b, "  %s__%s F2.0\n", sq->id, sq->options[o].id);
        } else {
            sbuf_printf(b, "  %s F2.0\n", sq->id);
        }
    }
    sbuf_puts(b, ".\n\nVARIABLE LABELS\n  session_label 'Session label'\n"
                 "  /session_date 'Session date'\n  /lang 'Language of the answers'\n");
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind == SURVEY_TEXT && mode == ANALYSIS_CSV_NO_TEXT)
            continue;
        if (sq->kind == SURVEY_MULTI) {
            for (int o = 0; o < sq->n_options; o++) {
                sbuf_printf(b, "  /%s__%s ", sq->id, sq->options[o].id);
                Sbuf t = {0};
                sbuf_printf(&t, "%s: %s", survey_text(&sq->text, 0),
                            survey_text(&sq->options[o].text, 0));
                sps_string(b, t.data ? t.data : "");
                sbuf_free(&t);
                sbuf_puts(b, "\n");
            }
        } else {
            sbuf_printf(b, "  /%s ", sq->id);
            sps_string(b, survey_text(&sq->text, 0));
            sbuf_puts(b, "\n");
        }
    }
    sbuf_puts(b, ".\n\nVALUE LABELS\n");
    int first = 1;
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind == SURVEY_TEXT)
            continue;
        int n_vars = sq->kind == SURVEY_MULTI ? sq->n_options : 1;
        for (int v = 0; v < n_vars; v++) {
            if (sq->kind == SURVEY_MULTI)
                sbuf_printf(b, "  %s%s__%s 0 'not chosen' 1 'chosen'", first ? "" : "/", sq->id,
                            sq->options[v].id);
            else
                sbuf_printf(b, "  %s%s", first ? "" : "/", sq->id);
            first = 0;
            if (sq->kind == SURVEY_LIKERT) {
                for (int a = 0; a < sq->scale; a++) {
                    sbuf_printf(b, " %d ", a + 1);
                    sps_string(b, survey_text(&sq->anchors[a], 0));
                }
            } else if (sq->kind == SURVEY_SINGLE) {
                for (int o = 0; o < sq->n_options; o++) {
                    sbuf_printf(b, " %d ", o + 1);
                    sps_string(b, survey_text(&sq->options[o].text, 0));
                }
            }
            sbuf_printf(b, " %d 'Declined'\n", ANALYSIS_DECLINED_CODE);
        }
    }
    sbuf_puts(b, ".\n\nMISSING VALUES");
    first = 1;
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind == SURVEY_TEXT)
            continue;
        int n_vars = sq->kind == SURVEY_MULTI ? sq->n_options : 1;
        for (int v = 0; v < n_vars; v++) {
            if (sq->kind == SURVEY_MULTI)
                sbuf_printf(b, "\n  %s%s__%s (%d)", first ? "" : "/", sq->id, sq->options[v].id,
                            ANALYSIS_DECLINED_CODE);
            else
                sbuf_printf(b, "\n  %s%s (%d)", first ? "" : "/", sq->id, ANALYSIS_DECLINED_CODE);
            first = 0;
        }
    }
    sbuf_puts(b, ".\n\nEXECUTE.\n");
}

/* ---------------------------------------------------------------- R */

static void r_string(Sbuf *b, const char *s)
{
    sbuf_puts(b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sbuf_printf(b, "\\%c", *p);
        else if (*p == '\n')
            sbuf_puts(b, "\\n");
        else if (*p == '\r')
            sbuf_puts(b, "\\r");
        else
            sbuf_add(b, p, 1);
    }
    sbuf_puts(b, "\"");
}

static void rscript(Sbuf *b, const Survey *s, const char *csv_name, int mode)
{
    sbuf_printf(b, "# Debrief export: survey %s version %u.\n", s->id, s->version);
    sbuf_puts(b, "# Run with the working directory set to the folder of the CSV file, e.g.\n"
                 "#   Rscript thisfile.R   or   source(\"thisfile.R\", chdir = TRUE)\n"
                 "# Declined (prefer not to answer) is -9 in the file and NA here (see the\n"
                 "# *_declined columns); an empty cell (not shown / not answered) is NA.\n"
                 "# Likert items stay numeric (for means and rank tests); X_f is the labelled\n"
                 "# ordered factor.\n\n");
    sbuf_puts(b, "d <- read.csv(");
    r_string(b, csv_name);
    sbuf_puts(b, ", encoding = \"UTF-8\", fileEncoding = \"UTF-8\",\n"
                 "              na.strings = \"\", stringsAsFactors = FALSE,\n"
                 "              colClasses = c(session_label = \"character\", "
                 "session_date = \"character\", lang = \"character\"))\n"
                 "d$session_date <- as.Date(d$session_date)\n"
                 "d$session <- factor(paste(d$session_date, d$session_label))\n\n");
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind == SURVEY_TEXT) {
            if (mode != ANALYSIS_CSV_NO_TEXT) {
                sbuf_printf(b, "d$%s[which(d$%s == \"%d\")] <- NA\n", sq->id, sq->id,
                            ANALYSIS_DECLINED_CODE);
                sbuf_printf(b,
                            "d$%s <- sub(\"^'([-=+@\\t\\r])\", \"\\\\1\", d$%s)  # undo the "
                            "formula guard\n",
                            sq->id, sq->id);
                sbuf_printf(b, "attr(d$%s, \"label\") <- ", sq->id);
                r_string(b, survey_text(&sq->text, 0));
                sbuf_puts(b, "\n");
            }
            continue;
        }
        if (sq->kind == SURVEY_MULTI) {
            for (int o = 0; o < sq->n_options; o++) {
                sbuf_printf(b, "d$%s__%s[which(d$%s__%s == %d)] <- NA\n", sq->id, sq->options[o].id,
                            sq->id, sq->options[o].id, ANALYSIS_DECLINED_CODE);
                sbuf_printf(b, "attr(d$%s__%s, \"label\") <- ", sq->id, sq->options[o].id);
                Sbuf t = {0};
                sbuf_printf(&t, "%s: %s", survey_text(&sq->text, 0),
                            survey_text(&sq->options[o].text, 0));
                r_string(b, t.data ? t.data : "");
                sbuf_free(&t);
                sbuf_puts(b, "\n");
            }
            continue;
        }
        sbuf_printf(b, "d$%s_declined <- d$%s %%in%% %d\n", sq->id, sq->id, ANALYSIS_DECLINED_CODE);
        sbuf_printf(b, "d$%s[which(d$%s == %d)] <- NA\n", sq->id, sq->id, ANALYSIS_DECLINED_CODE);
        int n = sq->kind == SURVEY_LIKERT ? sq->scale : sq->n_options;
        sbuf_printf(b, "%sd$%s%s <- factor(d$%s, levels = 1:%d, labels = c(", "", sq->id,
                    sq->kind == SURVEY_LIKERT ? "_f" : "", sq->id, n);
        for (int i = 0; i < n; i++) {
            if (i)
                sbuf_puts(b, ", ");
            r_string(b, survey_text(
                            sq->kind == SURVEY_LIKERT ? &sq->anchors[i] : &sq->options[i].text, 0));
        }
        sbuf_printf(b, ")%s)\n", sq->kind == SURVEY_LIKERT ? ", ordered = TRUE" : "");
        sbuf_printf(b, "attr(d$%s, \"label\") <- ", sq->id);
        r_string(b, survey_text(&sq->text, 0));
        sbuf_puts(b, "\n");
    }
    sbuf_puts(b, "\nstr(d)\n");
}

/* ---------------------------------------------------------------- writing */

static int write_buf(const char *path, Sbuf *b, mode_t mode, DbError *err)
{
    if (b->failed) {
        sbuf_free(b);
        return dberr_set(err, DB_ENOMEM, "%s: out of memory (or larger than %zu bytes)", path,
                         (size_t)SBUF_MAX);
    }
    int rc = fs_write_atomic(path, b->data ? b->data : "", b->len, mode, err);
    sbuf_free(b);
    return rc;
}

static int text_only(const AdbSurveyData *sd, const char *path, int64_t *n_rows, DbError *err)
{
    const Survey *s = sd->survey;
    size_t cap = (size_t)sd->n_responses * (size_t)s->n_questions;
    RowRef *rows = calloc(cap ? cap : 1, sizeof *rows);
    if (!rows)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    size_t n = 0;
    int rc = DB_OK;
    for (int i = 0; i < sd->n_responses && rc == DB_OK; i++) {
        const AdbResponse *r = &sd->responses[i];
        for (int q = 0; q < s->n_questions; q++) {
            const AdbCell *c = &r->cells[q];
            if (s->questions[q].kind != SURVEY_TEXT || c->state != ANSWER_GIVEN || !c->text ||
                !c->text[0])
                continue;
            Sbuf b = {0};
            field(&b, sd->sessions[r->session].label);
            sbuf_printf(&b, ",%s,%s,", sd->sessions[r->session].date, s->questions[q].id);
            field(&b, c->text);
            sbuf_puts(&b, "\r\n");
            rows[n].text = sbuf_take(&b);
            if (!rows[n].text) {
                rc = dberr_set(err, DB_ENOMEM, "out of memory");
                break;
            }
            n++;
        }
    }
    /* Fisher-Yates: the order carries no information about respondents. */
    for (size_t i = n; rc == DB_OK && i > 1; i--) {
        size_t j = secmem_random_below((uint32_t)i);
        RowRef t = rows[i - 1];
        rows[i - 1] = rows[j];
        rows[j] = t;
    }
    Sbuf out = {0};
    sbuf_puts(&out, "session_label,session_date,question_id,text\r\n");
    for (size_t i = 0; i < n; i++)
        sbuf_puts(&out, rows[i].text);
    if (rc == DB_OK)
        rc = write_buf(path, &out, 0600, err);
    else
        sbuf_free(&out);
    for (size_t i = 0; i < n; i++) {
        secmem_wipe(rows[i].text, strlen(rows[i].text));
        free(rows[i].text);
    }
    free(rows);
    *n_rows = (int64_t)n;
    return rc;
}

int analysis_csv_write(const AdbSurveyData *sd, const AnalysisCsvOptions *opt, int64_t *n_rows,
                       DbError *err)
{
    *n_rows = 0;
    if (opt->mode == ANALYSIS_CSV_TEXT_ONLY)
        return text_only(sd, opt->out_path, n_rows, err);
    const Survey *s = sd->survey;
    char path[4096];
    RowRef *rows = calloc(sd->n_responses ? (size_t)sd->n_responses : 1, sizeof *rows);
    if (!rows)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    int rc = DB_OK;
    for (int i = 0; i < sd->n_responses; i++) {
        Sbuf b = {0};
        row(&b, sd, &sd->responses[i], opt->mode);
        rows[i].session = &sd->sessions[sd->responses[i].session];
        rows[i].text = sbuf_take(&b);
        if (!rows[i].text) {
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
            break;
        }
    }
    if (rc == DB_OK) {
        qsort(rows, (size_t)sd->n_responses, sizeof *rows, row_cmp);
        Sbuf out = {0};
        header(&out, s, opt->mode);
        for (int i = 0; i < sd->n_responses; i++)
            sbuf_puts(&out, rows[i].text);
        rc = write_buf(opt->out_path, &out, 0600, err);
    }
    for (int i = 0; i < sd->n_responses; i++) {
        if (rows[i].text) {
            secmem_wipe(rows[i].text, strlen(rows[i].text));
            free(rows[i].text);
        }
    }
    free(rows);
    if (rc != DB_OK)
        return rc;
    *n_rows = sd->n_responses;

    Sbuf b = {0};
    if ((rc = sibling(opt->out_path, ".codebook.csv", path, sizeof path, err)) != DB_OK)
        return rc;
    codebook(&b, s, opt->mode);
    if ((rc = write_buf(path, &b, 0644, err)) != DB_OK)
        return rc;
    if ((rc = sibling(opt->out_path, ".sps", path, sizeof path, err)) != DB_OK)
        return rc;
    spss(&b, s, base_name(opt->out_path), opt->mode);
    if ((rc = write_buf(path, &b, 0644, err)) != DB_OK)
        return rc;
    if ((rc = sibling(opt->out_path, ".R", path, sizeof path, err)) != DB_OK)
        return rc;
    rscript(&b, s, base_name(opt->out_path), opt->mode);
    return write_buf(path, &b, 0644, err);
}
