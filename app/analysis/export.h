/* export: the columns of a survey version's export and what each cell holds, shared by the
 * CSV (csv.c) and the workbook (xlsx.c), so that both say the same thing (internal to
 * app/analysis).
 *
 * Columns: session_label, session_date, lang, then per question its id (Likert: 1..scale;
 * single choice: option position 1..n; text), or for a multiple-choice question one column
 * per option, QID__OPTID (1 chosen, 0 not). A missing answer is a code in every column of its
 * question (analysis.h: -9 declined, -8 skipped, -7 not shown).
 *
 * The codebook and the value labels are tables of text cells, produced row by row through a
 * callback (row 0 is the header).
 */
#ifndef DEBRIEF_EXPORT_H
#define DEBRIEF_EXPORT_H

#include "analysis.h"

#define EXPORT_NAME_MAX (2 * SURVEY_MAX_ID + 3)

typedef struct ExportVar {
    char name[EXPORT_NAME_MAX + 1];
    int q;      /* question index, or EXPORT_LABEL / EXPORT_DATE / EXPORT_LANG */
    int option; /* multiple choice: the option; else -1 */
} ExportVar;

enum { EXPORT_LABEL = -1, EXPORT_DATE = -2, EXPORT_LANG = -3 };

/* The columns for mode (ANALYSIS_CSV_ALL or _NO_TEXT); *vars malloc'd. */
int export_vars(const Survey *s, int mode, ExportVar **vars, int *n, DbError *err);

/* A cell: *text for a text column (label, date, lang, a text answer or a code as text) and
 * return 0, or *number for a numeric column and return 1. */
int export_cell(const AdbSurveyData *sd, const AdbResponse *r, const ExportVar *v,
                const char **text, char *code_buf, size_t cap, int *number);

/* SPSS measurement level of a column: "nominal", "ordinal" or "scale". */
const char *export_level(const Survey *s, const ExportVar *v);

/* The codebook and the value labels as tables: cell(ctx, row, col, text) for every cell. */
typedef void (*ExportCellFn)(void *ctx, int row, int col, const char *text);
void export_codebook(const Survey *s, int mode, ExportCellFn cell, void *ctx);
void export_value_labels(const Survey *s, int mode, ExportCellFn cell, void *ctx);

/* Responses in export order: by session date, label, then the row's cells (never by when
 * they were given or imported). *order malloc'd. */
int export_order(const AdbSurveyData *sd, int mode, int **order, DbError *err);

#endif
