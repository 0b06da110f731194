/* csv: one survey version's responses as CSV, with a codebook, SPSS syntax (and its data
 * file) and an R script; and the export's columns (export.h), which xlsx.c shares.
 *
 * Variables (documented in docs/ANALYSIS.md):
 *   session_label, session_date, lang
 *   QID            Likert: 1..scale; single choice: option position 1..n
 *   QID__OPTID     multiple choice: 1 chosen, 0 not chosen (one column per option)
 *   QID            free text (UTF-8)
 * A missing answer is a code in every column of the question: -9 declined ("prefer not to
 * answer"), -8 skipped (shown, not answered), -7 not shown (its show-if condition hid it).
 *
 * Rows are sorted by session date, session label and then by the row's own text, so the
 * order says nothing about when a response was given or imported. Text-only files are
 * shuffled instead (there is nothing to sort them by that would not group them).
 *
 * Files are built in memory (wiped afterwards) and written atomically: FILE.csv and
 * FILE.spss.csv (0600, they hold answers), FILE.codebook.csv, FILE.sps, FILE.R (0644, no
 * answers).
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "export.h"
#include "fsutil.h"
#include "sbuf.h"
#include "secmem.h"

/* ---------------------------------------------------------------- fields */

/* The formula guard: also a leading ' itself, so that removing exactly one leading ' gives
 * back every value (a participant's own apostrophe included). */
static int needs_guard(const char *s)
{
    return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
           s[0] == '\r' || s[0] == '\'';
}

static int needs_quotes(const char *s, int guard)
{
    return guard || strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' ||
           (s[0] && s[strlen(s) - 1] == ' ');
}

/* A text cell: formula guard, then RFC 4180 quoting (quotes doubled). With escape_lf (the
 * SPSS data file) a line break is written \n and a backslash \\. */
static void field_esc(Sbuf *b, const char *s, int escape_lf)
{
    int guard = needs_guard(s);
    if (!needs_quotes(s, guard) && !(escape_lf && strchr(s, '\\'))) {
        sbuf_puts(b, s);
        return;
    }
    sbuf_puts(b, "\"");
    if (guard)
        sbuf_puts(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sbuf_puts(b, "\"\"");
        else if (escape_lf && *p == '\n')
            sbuf_puts(b, "\\n");
        else if (escape_lf && *p == '\\')
            sbuf_puts(b, "\\\\");
        else
            sbuf_add(b, p, 1);
    }
    sbuf_puts(b, "\"");
}

static void field(Sbuf *b, const char *s)
{
    field_esc(b, s, 0);
}

void analysis_csv_field(FILE *f, const char *s)
{
    Sbuf b = {0};
    field(&b, s);
    if (b.data)
        fputs(b.data, f);
    sbuf_free(&b);
}

/* ---------------------------------------------------------------- columns and cells */

static int missing_code(const AdbCell *c)
{
    if (c->state == ANSWER_DECLINED)
        return ANALYSIS_DECLINED_CODE;
    return c->shown ? ANALYSIS_SKIPPED_CODE : ANALYSIS_NOT_SHOWN_CODE;
}

int analysis_cell_number(const SurveyQuestion *sq, const AdbCell *c, int option)
{
    if (c->state != ANSWER_GIVEN)
        return missing_code(c);
    if (sq->kind == SURVEY_MULTI)
        return (c->chosen >> option) & 1u ? 1 : 0;
    return sq->kind == SURVEY_LIKERT ? c->value : c->value + 1;
}

int export_vars(const Survey *s, int mode, ExportVar **vars, int *n, DbError *err)
{
    int cap = 3;
    for (int q = 0; q < s->n_questions; q++)
        cap += s->questions[q].kind == SURVEY_MULTI ? s->questions[q].n_options : 1;
    ExportVar *v = calloc((size_t)cap, sizeof *v);
    *vars = v;
    *n = 0;
    if (!v)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    static const char *const fixed[3] = {"session_label", "session_date", "lang"};
    for (int i = 0; i < 3; i++) {
        snprintf(v[*n].name, sizeof v[*n].name, "%s", fixed[i]);
        v[*n].q = -1 - i;
        v[(*n)++].option = -1;
    }
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind == SURVEY_TEXT && mode == ANALYSIS_CSV_NO_TEXT)
            continue;
        int k = sq->kind == SURVEY_MULTI ? sq->n_options : 1;
        for (int o = 0; o < k; o++) {
            if (sq->kind == SURVEY_MULTI)
                snprintf(v[*n].name, sizeof v[*n].name, "%s__%s", sq->id, sq->options[o].id);
            else
                snprintf(v[*n].name, sizeof v[*n].name, "%s", sq->id);
            v[*n].q = q;
            v[(*n)++].option = sq->kind == SURVEY_MULTI ? o : -1;
        }
    }
    return DB_OK;
}

int export_cell(const AdbSurveyData *sd, const AdbResponse *r, const ExportVar *v,
                const char **text, char *code_buf, size_t cap, int *number)
{
    if (v->q == EXPORT_LABEL || v->q == EXPORT_DATE) {
        const AdbSession *ses = &sd->sessions[r->session];
        *text = v->q == EXPORT_LABEL ? ses->label : ses->date;
        return 0;
    }
    if (v->q == EXPORT_LANG) {
        *text = r->lang;
        return 0;
    }
    const SurveyQuestion *sq = &sd->survey->questions[v->q];
    const AdbCell *c = &r->cells[v->q];
    if (sq->kind != SURVEY_TEXT) {
        *number = analysis_cell_number(sq, c, v->option);
        return 1;
    }
    if (c->state == ANSWER_GIVEN && c->text) {
        *text = c->text;
    } else {
        snprintf(code_buf, cap, "%d", missing_code(c));
        *text = code_buf;
    }
    return 0;
}

const char *export_level(const Survey *s, const ExportVar *v)
{
    if (v->q >= 0 && s->questions[v->q].kind == SURVEY_LIKERT)
        return "ordinal";
    return "nominal";
}

/* One response's row. */
static void row(Sbuf *b, const AdbSurveyData *sd, const AdbResponse *r, const ExportVar *vars,
                int n_vars, int escape_lf)
{
    char code[16];
    for (int i = 0; i < n_vars; i++) {
        const char *text;
        int number;
        if (i)
            sbuf_puts(b, ",");
        if (export_cell(sd, r, &vars[i], &text, code, sizeof code, &number))
            sbuf_printf(b, "%d", number);
        else if (text == code)
            sbuf_puts(b, code); /* a code is never guarded: "-9" */
        else
            field_esc(b, text, escape_lf);
    }
    sbuf_puts(b, "\r\n");
}

typedef struct RowRef {
    const AdbSession *session;
    char *text;
    int index;
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

static void rows_free(RowRef *rows, int n)
{
    for (int i = 0; rows && i < n; i++) {
        if (rows[i].text) {
            secmem_wipe(rows[i].text, strlen(rows[i].text));
            free(rows[i].text);
        }
    }
    free(rows);
}

/* Every response's row, sorted (export_order). */
static int sorted_rows(const AdbSurveyData *sd, const ExportVar *vars, int n_vars, int escape_lf,
                       RowRef **out, DbError *err)
{
    RowRef *rows = calloc(sd->n_responses ? (size_t)sd->n_responses : 1, sizeof *rows);
    *out = rows;
    if (!rows)
        return dberr_set(err, DB_ENOMEM, "out of memory");
    for (int i = 0; i < sd->n_responses; i++) {
        Sbuf b = {0};
        row(&b, sd, &sd->responses[i], vars, n_vars, escape_lf);
        rows[i].session = &sd->sessions[sd->responses[i].session];
        rows[i].index = i;
        rows[i].text = sbuf_take(&b);
        if (!rows[i].text)
            return dberr_set(err, DB_ENOMEM, "out of memory");
    }
    qsort(rows, (size_t)sd->n_responses, sizeof *rows, row_cmp);
    return DB_OK;
}

int export_order(const AdbSurveyData *sd, int mode, int **order, DbError *err)
{
    *order = NULL;
    ExportVar *vars;
    int n_vars;
    int rc = export_vars(sd->survey, mode, &vars, &n_vars, err);
    RowRef *rows = NULL;
    if (rc == DB_OK)
        rc = sorted_rows(sd, vars, n_vars, 0, &rows, err);
    if (rc == DB_OK) {
        *order = malloc((sd->n_responses ? (size_t)sd->n_responses : 1) * sizeof **order);
        if (!*order)
            rc = dberr_set(err, DB_ENOMEM, "out of memory");
        for (int i = 0; rc == DB_OK && i < sd->n_responses; i++)
            (*order)[i] = rows[i].index;
    }
    rows_free(rows, sd->n_responses);
    free(vars);
    return rc;
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

/* The codes a question's columns can hold. */
static void missing_text(const SurveyQuestion *sq, Sbuf *b)
{
    int any = 0;
    if (sq->prefer_not) {
        sbuf_printf(b, "declined (prefer not to answer) = %d", ANALYSIS_DECLINED_CODE);
        any = 1;
    }
    if (!sq->required || sq->kind == SURVEY_MULTI) {
        sbuf_printf(b, "%sskipped (shown, not answered) = %d", any ? "; " : "",
                    ANALYSIS_SKIPPED_CODE);
        any = 1;
    }
    if (sq->show_if_question >= 0)
        sbuf_printf(b, "%snot shown (show-if) = %d", any ? "; " : "", ANALYSIS_NOT_SHOWN_CODE);
}

static void values_text(const SurveyQuestion *sq, int option, int lang, Sbuf *b)
{
    if (sq->kind == SURVEY_MULTI) {
        sbuf_printf(b, "0=not chosen; 1=chosen (%s)", survey_text(&sq->options[option].text, lang));
    } else if (sq->kind == SURVEY_LIKERT) {
        for (int a = 0; a < sq->scale; a++)
            sbuf_printf(b, "%s%d=%s", a ? "; " : "", a + 1, survey_text(&sq->anchors[a], lang));
    } else if (sq->kind == SURVEY_SINGLE) {
        for (int o = 0; o < sq->n_options; o++)
            sbuf_printf(b, "%s%d=%s (%s)", o ? "; " : "", o + 1,
                        survey_text(&sq->options[o].text, lang), sq->options[o].id);
    }
}

static void shown_if_text(const Survey *s, const SurveyQuestion *sq, Sbuf *b)
{
    if (sq->show_if_question < 0)
        return;
    const SurveyQuestion *c = &s->questions[sq->show_if_question];
    sbuf_printf(b, "%s in {", c->id);
    int first = 1;
    for (int v = 0; v < 32; v++) {
        if (!((sq->show_if_mask >> v) & 1u))
            continue;
        if (c->kind == SURVEY_LIKERT)
            sbuf_printf(b, "%s%d", first ? "" : ",", v + 1);
        else
            sbuf_printf(b, "%s%s", first ? "" : ",", v < c->n_options ? c->options[v].id : "?");
        first = 0;
    }
    sbuf_puts(b, "}");
}

/* Columns: variable, question_id, section, type, level, then question_LANG and values_LANG
 * for every language of the survey, then missing, scale_direction, shown_if. */
void export_codebook(const Survey *s, int mode, ExportCellFn cell, void *ctx)
{
    static const char *const head[5] = {"variable", "question_id", "section", "type", "level"};
    int col = 0;
    for (int i = 0; i < 5; i++)
        cell(ctx, 0, col++, head[i]);
    for (int l = 0; l < s->n_langs; l++) {
        char name[64];
        snprintf(name, sizeof name, "question_%s", s->lang_codes[l]);
        cell(ctx, 0, col++, name);
        snprintf(name, sizeof name, "values_%s", s->lang_codes[l]);
        cell(ctx, 0, col++, name);
    }
    cell(ctx, 0, col++, "missing");
    cell(ctx, 0, col++, "scale_direction");
    cell(ctx, 0, col, "shown_if");
    ExportVar *vars;
    int n_vars;
    DbError err;
    if (export_vars(s, mode, &vars, &n_vars, &err) != DB_OK)
        return;
    int row_n = 1;
    for (int i = 3; i < n_vars; i++, row_n++) {
        const ExportVar *v = &vars[i];
        const SurveyQuestion *sq = &s->questions[v->q];
        col = 0;
        cell(ctx, row_n, col++, v->name);
        cell(ctx, row_n, col++, sq->id);
        cell(ctx, row_n, col++, s->sections[sq->section].id);
        cell(ctx, row_n, col++, kind_name(sq->kind));
        cell(ctx, row_n, col++, export_level(s, v));
        for (int l = 0; l < s->n_langs; l++) {
            Sbuf t = {0};
            if (sq->kind == SURVEY_MULTI)
                sbuf_printf(&t, "%s: %s", survey_text(&sq->text, l),
                            survey_text(&sq->options[v->option].text, l));
            else
                sbuf_puts(&t, survey_text(&sq->text, l));
            cell(ctx, row_n, col++, t.data ? t.data : "");
            sbuf_free(&t);
            values_text(sq, v->option, l, &t);
            cell(ctx, row_n, col++, t.data ? t.data : "");
            sbuf_free(&t);
        }
        Sbuf t = {0};
        missing_text(sq, &t);
        cell(ctx, row_n, col++, t.data ? t.data : "");
        sbuf_free(&t);
        if (sq->kind == SURVEY_LIKERT)
            sbuf_printf(&t, "ascending: 1=%s ... %d=%s", survey_text(&sq->anchors[0], 0), sq->scale,
                        survey_text(&sq->anchors[sq->scale - 1], 0));
        cell(ctx, row_n, col++, t.data ? t.data : "");
        sbuf_free(&t);
        shown_if_text(s, sq, &t);
        cell(ctx, row_n, col, t.data ? t.data : "");
        sbuf_free(&t);
    }
    free(vars);
}

/* Columns: variable, value, then label_LANG for every language; one row per value of every
 * coded column, the missing-value codes included. */
void export_value_labels(const Survey *s, int mode, ExportCellFn cell, void *ctx)
{
    cell(ctx, 0, 0, "variable");
    cell(ctx, 0, 1, "value");
    for (int l = 0; l < s->n_langs; l++) {
        char name[64];
        snprintf(name, sizeof name, "label_%s", s->lang_codes[l]);
        cell(ctx, 0, 2 + l, name);
    }
    ExportVar *vars;
    int n_vars;
    DbError err;
    if (export_vars(s, mode, &vars, &n_vars, &err) != DB_OK)
        return;
    int r = 1;
    char num[16];
    static const int codes[3] = {ANALYSIS_DECLINED_CODE, ANALYSIS_SKIPPED_CODE,
                                 ANALYSIS_NOT_SHOWN_CODE};
    static const char *const code_names[3] = {"Declined", "Skipped", "Not shown"};
    for (int i = 3; i < n_vars; i++) {
        const ExportVar *v = &vars[i];
        const SurveyQuestion *sq = &s->questions[v->q];
        int n_values = sq->kind == SURVEY_LIKERT   ? sq->scale
                       : sq->kind == SURVEY_SINGLE ? sq->n_options
                       : sq->kind == SURVEY_MULTI  ? 2
                                                   : 0;
        for (int val = 0; val < n_values; val++, r++) {
            cell(ctx, r, 0, v->name);
            snprintf(num, sizeof num, "%d", sq->kind == SURVEY_MULTI ? val : val + 1);
            cell(ctx, r, 1, num);
            for (int l = 0; l < s->n_langs; l++) {
                const char *label = sq->kind == SURVEY_LIKERT ? survey_text(&sq->anchors[val], l)
                                    : sq->kind == SURVEY_SINGLE
                                        ? survey_text(&sq->options[val].text, l)
                                    : val ? "chosen"
                                          : "not chosen";
                cell(ctx, r, 2 + l, label);
            }
        }
        for (int c = 0; c < 3; c++, r++) {
            cell(ctx, r, 0, v->name);
            snprintf(num, sizeof num, "%d", codes[c]);
            cell(ctx, r, 1, num);
            for (int l = 0; l < s->n_langs; l++)
                cell(ctx, r, 2 + l, code_names[c]);
        }
    }
    free(vars);
}

/* The codebook as CSV. */
typedef struct CsvTable {
    Sbuf *b;
    int row;
} CsvTable;

static void csv_cell(void *ctx, int row_n, int col, const char *text)
{
    CsvTable *t = ctx;
    if (row_n != t->row) {
        if (t->row >= 0)
            sbuf_puts(t->b, "\r\n");
        t->row = row_n;
    }
    if (col > 0)
        sbuf_puts(t->b, ",");
    field(t->b, text);
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

/* Widest value of a text column in bytes: the guard's ' and every character doubled as an
 * escape (a backslash) at worst. */
static int text_width(const SurveyQuestion *sq)
{
    return 8 * sq->max_length + 2;
}

static void spss(Sbuf *b, const Survey *s, const char *data_name, int mode)
{
    ExportVar *vars;
    int n_vars;
    DbError err;
    if (export_vars(s, mode, &vars, &n_vars, &err) != DB_OK) {
        b->failed = 1;
        return;
    }
    sbuf_printf(b, "* Debrief export: survey %s version %u.\n", s->id, s->version);
    sbuf_printf(b,
                "* Run with the working directory set to the folder of the data file.\n"
                "* It reads %s: the CSV's rows, with a line break inside a text\n"
                "* written as \\n and a backslash as \\\\ (SPSS reads no line break inside a\n"
                "* field); both are undone below, and so is the formula guard (a leading ').\n"
                "* Missing: %d declined (prefer not to answer), %d skipped (shown, not\n"
                "* answered), %d not shown (show-if); declared missing below.\n"
                "* SPSS pads strings with spaces: a text's trailing spaces are not kept.\n\n",
                data_name, ANALYSIS_DECLINED_CODE, ANALYSIS_SKIPPED_CODE, ANALYSIS_NOT_SHOWN_CODE);
    sbuf_puts(b, "GET DATA /TYPE=TXT\n  /FILE=");
    sps_string(b, data_name);
    /* No line starts with a variable name: PSPP takes a line starting with "comment" for a
     * comment even inside a command, so each line starts with the previous format. */
    sbuf_puts(b, "\n  /ENCODING='UTF8'\n  /DELCASE=LINE\n  /DELIMITERS=\",\"\n"
                 "  /QUALIFIER='\"'\n  /ARRANGEMENT=DELIMITED\n  /FIRSTCASE=2\n"
                 "  /VARIABLES=session_label\n  A65 session_date\n  A10 lang\n  A32");
    for (int i = 3; i < n_vars; i++) {
        const SurveyQuestion *sq = &s->questions[vars[i].q];
        sbuf_printf(b, " %s\n", vars[i].name);
        if (sq->kind == SURVEY_TEXT)
            sbuf_printf(b, "  A%d", text_width(sq));
        else
            sbuf_puts(b, "  F2.0");
    }
    sbuf_puts(b, ".\n\n* Undo the formula guard and the line-break escapes.\n");
    for (int i = 0; i < n_vars; i++) {
        int text = vars[i].q == EXPORT_LABEL ||
                   (vars[i].q >= 0 && s->questions[vars[i].q].kind == SURVEY_TEXT);
        if (!text)
            continue;
        const char *n = vars[i].name;
        sbuf_printf(b, "IF (SUBSTR(%s, 1, 1) = \"'\") %s = SUBSTR(%s, 2).\n", n, n, n);
        if (vars[i].q >= 0)
            sbuf_printf(b,
                        "COMPUTE %s = REPLACE(%s, '\\\\', X'01').\n"
                        "COMPUTE %s = REPLACE(%s, '\\n', X'0A').\n"
                        "COMPUTE %s = REPLACE(%s, X'01', '\\').\n",
                        n, n, n, n, n, n);
    }
    sbuf_puts(b, "\nVARIABLE LABELS session_label 'Session label'\n"
                 "  /session_date 'Session date'\n  /lang 'Language of the answers'\n");
    for (int i = 3; i < n_vars; i++) {
        const SurveyQuestion *sq = &s->questions[vars[i].q];
        sbuf_printf(b, "  /%s ", vars[i].name);
        Sbuf t = {0};
        if (sq->kind == SURVEY_MULTI)
            sbuf_printf(&t, "%s: %s", survey_text(&sq->text, 0),
                        survey_text(&sq->options[vars[i].option].text, 0));
        else
            sbuf_puts(&t, survey_text(&sq->text, 0));
        sps_string(b, t.data ? t.data : "");
        sbuf_free(&t);
        sbuf_puts(b, "\n");
    }
    sbuf_puts(b, ".\n\nVALUE LABELS");
    int first = 1;
    for (int i = 3; i < n_vars; i++) {
        const SurveyQuestion *sq = &s->questions[vars[i].q];
        if (sq->kind == SURVEY_TEXT)
            continue;
        sbuf_printf(b, "%s%s", first ? " " : "  /", vars[i].name);
        first = 0;
        if (sq->kind == SURVEY_MULTI)
            sbuf_puts(b, " 0 'not chosen' 1 'chosen'");
        int n = sq->kind == SURVEY_LIKERT   ? sq->scale
                : sq->kind == SURVEY_SINGLE ? sq->n_options
                                            : 0;
        for (int a = 0; a < n; a++) {
            sbuf_printf(b, " %d ", a + 1);
            sps_string(
                b,
                survey_text(sq->kind == SURVEY_LIKERT ? &sq->anchors[a] : &sq->options[a].text, 0));
        }
        sbuf_printf(b, " %d 'Declined' %d 'Skipped' %d 'Not shown'\n", ANALYSIS_DECLINED_CODE,
                    ANALYSIS_SKIPPED_CODE, ANALYSIS_NOT_SHOWN_CODE);
    }
    sbuf_puts(b, ".\n\nMISSING VALUES");
    first = 1;
    for (int i = 3; i < n_vars; i++) {
        const SurveyQuestion *sq = &s->questions[vars[i].q];
        const char *q = sq->kind == SURVEY_TEXT ? "'" : "";
        sbuf_printf(b, "%s%s (%s%d%s, %s%d%s, %s%d%s)", first ? " " : "\n  /", vars[i].name, q,
                    ANALYSIS_DECLINED_CODE, q, q, ANALYSIS_SKIPPED_CODE, q, q,
                    ANALYSIS_NOT_SHOWN_CODE, q);
        first = 0;
    }
    sbuf_puts(b, ".\n\nVARIABLE LEVEL");
    for (int i = 0; i < n_vars; i++)
        sbuf_printf(b, "%s%s (%s)", i ? "\n  /" : " ", vars[i].name,
                    strcmp(export_level(s, &vars[i]), "ordinal") == 0 ? "ORDINAL" : "NOMINAL");
    sbuf_puts(b, ".\n\nEXECUTE.\n");
    free(vars);
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

static void rscript(Sbuf *b, const Survey *s, const char *csv_name, int mode, int bom)
{
    ExportVar *vars;
    int n_vars;
    DbError err;
    if (export_vars(s, mode, &vars, &n_vars, &err) != DB_OK) {
        b->failed = 1;
        return;
    }
    sbuf_printf(b, "# Debrief export: survey %s version %u.\n", s->id, s->version);
    sbuf_printf(b,
                "# Run with the working directory set to the folder of the CSV file, e.g.\n"
                "#   Rscript thisfile.R   or   source(\"thisfile.R\", chdir = TRUE)\n"
                "# Missing answers are codes in the file (%d declined, %d skipped: shown but\n"
                "# not answered, %d not shown: show-if) and NA here, with the reason in the\n"
                "# factor QID_missing. Likert items stay numeric (for means and rank tests);\n"
                "# QID_f is the labelled ordered factor. The formula guard (a leading ') is\n"
                "# undone.\n\n",
                ANALYSIS_DECLINED_CODE, ANALYSIS_SKIPPED_CODE, ANALYSIS_NOT_SHOWN_CODE);
    sbuf_puts(b, "d <- read.csv(");
    r_string(b, csv_name);
    sbuf_printf(b,
                ", encoding = \"UTF-8\", fileEncoding = \"%s\",\n"
                "              na.strings = character(0), stringsAsFactors = FALSE,\n"
                "              check.names = FALSE, colClasses = c(",
                bom ? "UTF-8-BOM" : "UTF-8");
    for (int i = 0; i < n_vars; i++) {
        int text = vars[i].q < 0 || s->questions[vars[i].q].kind == SURVEY_TEXT;
        sbuf_printf(b, "%s%s = \"%s\"", i ? ", " : "", vars[i].name,
                    text ? "character" : "integer");
    }
    sbuf_printf(
        b,
        "))\n"
        "unguard <- function(x) sub(\"^'\", \"\", x)\n"
        "missing_reason <- function(x) factor(ifelse(x %%in%% c(\"%d\", %d), \"declined\",\n"
        "  ifelse(x %%in%% c(\"%d\", %d), \"skipped\", ifelse(x %%in%% c(\"%d\", %d), "
        "\"not shown\", NA))),\n"
        "  levels = c(\"declined\", \"skipped\", \"not shown\"))\n"
        "d$session_label <- unguard(d$session_label)\n"
        "d$session_date <- as.Date(d$session_date)\n"
        "d$session <- factor(paste(d$session_date, d$session_label))\n\n",
        ANALYSIS_DECLINED_CODE, ANALYSIS_DECLINED_CODE, ANALYSIS_SKIPPED_CODE,
        ANALYSIS_SKIPPED_CODE, ANALYSIS_NOT_SHOWN_CODE, ANALYSIS_NOT_SHOWN_CODE);
    for (int q = 0; q < s->n_questions; q++) {
        const SurveyQuestion *sq = &s->questions[q];
        if (sq->kind == SURVEY_TEXT && mode == ANALYSIS_CSV_NO_TEXT)
            continue;
        const char *id = sq->id;
        if (sq->kind == SURVEY_MULTI) {
            sbuf_printf(b, "d$%s_missing <- missing_reason(d$%s__%s)\n", id, id, sq->options[0].id);
            for (int o = 0; o < sq->n_options; o++) {
                const char *opt = sq->options[o].id;
                sbuf_printf(b, "d$%s__%s[d$%s__%s < 0] <- NA\n", id, opt, id, opt);
                sbuf_printf(b, "attr(d$%s__%s, \"label\") <- ", id, opt);
                Sbuf t = {0};
                sbuf_printf(&t, "%s: %s", survey_text(&sq->text, 0),
                            survey_text(&sq->options[o].text, 0));
                r_string(b, t.data ? t.data : "");
                sbuf_free(&t);
                sbuf_puts(b, "\n");
            }
            continue;
        }
        sbuf_printf(b, "d$%s_missing <- missing_reason(d$%s)\n", id, id);
        if (sq->kind == SURVEY_TEXT) {
            /* codes first: a participant's own "-9" reads "'-9" until unguarded */
            sbuf_printf(b, "d$%s[!is.na(d$%s_missing)] <- NA\n", id, id);
            sbuf_printf(b, "d$%s <- unguard(d$%s)\n", id, id);
        } else {
            sbuf_printf(b, "d$%s[d$%s < 0] <- NA\n", id, id);
            int n = sq->kind == SURVEY_LIKERT ? sq->scale : sq->n_options;
            sbuf_printf(b, "d$%s%s <- factor(d$%s, levels = 1:%d, labels = c(", id,
                        sq->kind == SURVEY_LIKERT ? "_f" : "", id, n);
            for (int i = 0; i < n; i++) {
                if (i)
                    sbuf_puts(b, ", ");
                r_string(b, survey_text(sq->kind == SURVEY_LIKERT ? &sq->anchors[i]
                                                                  : &sq->options[i].text,
                                        0));
            }
            sbuf_printf(b, ")%s)\n", sq->kind == SURVEY_LIKERT ? ", ordered = TRUE" : "");
        }
        sbuf_printf(b, "attr(d$%s, \"label\") <- ", id);
        r_string(b, survey_text(&sq->text, 0));
        sbuf_puts(b, "\n");
    }
    sbuf_puts(b, "\nif (!interactive()) str(d)\n");
    free(vars);
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

static int text_only(const AdbSurveyData *sd, const AnalysisCsvOptions *opt, int64_t *n_rows,
                     DbError *err)
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
    if (opt->bom)
        sbuf_puts(&out, "\xef\xbb\xbf");
    sbuf_puts(&out, "session_label,session_date,question_id,text\r\n");
    for (size_t i = 0; i < n; i++)
        sbuf_puts(&out, rows[i].text);
    if (rc == DB_OK)
        rc = write_buf(opt->out_path, &out, 0600, err);
    else
        sbuf_free(&out);
    rows_free(rows, (int)n);
    *n_rows = (int64_t)n;
    return rc;
}

/* Header line and sorted rows of one data file. */
static int data_file(const AdbSurveyData *sd, const ExportVar *vars, int n_vars, int escape_lf,
                     int bom, const char *path, DbError *err)
{
    RowRef *rows = NULL;
    int rc = sorted_rows(sd, vars, n_vars, escape_lf, &rows, err);
    if (rc == DB_OK) {
        Sbuf out = {0};
        if (bom)
            sbuf_puts(&out, "\xef\xbb\xbf");
        for (int i = 0; i < n_vars; i++)
            sbuf_printf(&out, "%s%s", i ? "," : "", vars[i].name);
        sbuf_puts(&out, "\r\n");
        for (int i = 0; i < sd->n_responses; i++)
            sbuf_puts(&out, rows[i].text);
        rc = write_buf(path, &out, 0600, err);
    }
    rows_free(rows, sd->n_responses);
    return rc;
}

int analysis_csv_write(const AdbSurveyData *sd, const AnalysisCsvOptions *opt, int64_t *n_rows,
                       DbError *err)
{
    *n_rows = 0;
    if (opt->mode == ANALYSIS_CSV_TEXT_ONLY)
        return text_only(sd, opt, n_rows, err);
    const Survey *s = sd->survey;
    char path[4096];
    ExportVar *vars;
    int n_vars;
    int rc = export_vars(s, opt->mode, &vars, &n_vars, err);
    if (rc == DB_OK)
        rc = data_file(sd, vars, n_vars, 0, opt->bom, opt->out_path, err);
    if (rc == DB_OK && (rc = sibling(opt->out_path, ".spss.csv", path, sizeof path, err)) == DB_OK)
        rc = data_file(sd, vars, n_vars, 1, 0, path, err);
    free(vars);
    if (rc != DB_OK)
        return rc;
    *n_rows = sd->n_responses;

    Sbuf b = {0};
    if ((rc = sibling(opt->out_path, ".codebook.csv", path, sizeof path, err)) != DB_OK)
        return rc;
    CsvTable t = {&b, -1};
    export_codebook(s, opt->mode, csv_cell, &t);
    sbuf_puts(&b, "\r\n");
    if ((rc = write_buf(path, &b, 0644, err)) != DB_OK)
        return rc;
    char data_name[4096];
    if ((rc = sibling(opt->out_path, ".spss.csv", data_name, sizeof data_name, err)) != DB_OK ||
        (rc = sibling(opt->out_path, ".sps", path, sizeof path, err)) != DB_OK)
        return rc;
    spss(&b, s, base_name(data_name), opt->mode);
    if ((rc = write_buf(path, &b, 0644, err)) != DB_OK)
        return rc;
    if ((rc = sibling(opt->out_path, ".R", path, sizeof path, err)) != DB_OK)
        return rc;
    rscript(&b, s, base_name(opt->out_path), opt->mode, opt->bom);
    return write_buf(path, &b, 0644, err);
}
