/* xlsx: placeholder until libxlsxwriter is wired in. */
#include "analysis.h"
int analysis_xlsx_available(void) { return 0; }
int analysis_xlsx_write(const AdbSurveyData *sd, const char *path, int mode, int64_t *n_rows,
                        DbError *err)
{
    (void)sd; (void)mode; *n_rows = 0;
    return dberr_set(err, DB_EINVAL, "%s: not built with libxlsxwriter", path);
}
