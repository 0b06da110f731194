/* session_fields: see session_fields.h. */
#include "session_fields.h"

#include "utf8.h"

int session_label_check(const char *s, size_t n, DbError *err)
{
    if (n < 1 || n > SESSION_LABEL_MAX)
        return dberr_set(err, DB_EINVAL, "session label must be 1 to %d bytes (it has %zu)",
                         SESSION_LABEL_MAX, n);
    switch (utf8_check(s, n, false, NULL)) {
    case UTF8_OK:
        return DB_OK;
    case UTF8_CONTROL:
        return dberr_set(err, DB_EINVAL, "session label contains a control character");
    default:
        return dberr_set(err, DB_EINVAL, "session label is not valid UTF-8");
    }
}

int session_date_check(const char *d, size_t n, DbError *err)
{
    if (n != SESSION_DATE_LEN)
        return dberr_set(err, DB_EINVAL, "session date must be YYYY-MM-DD");
    for (int i = 0; i < SESSION_DATE_LEN; i++) {
        int dash = i == 4 || i == 7;
        if (dash ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
            return dberr_set(err, DB_EINVAL, "session date must be YYYY-MM-DD");
    }
    int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    int m = (d[5] - '0') * 10 + (d[6] - '0');
    int day = (d[8] - '0') * 10 + (d[9] - '0');
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || day < 1 || day > mdays[m - 1] || (m == 2 && day == 29 && !leap))
        return dberr_set(err, DB_EINVAL, "session date %.10s is not a day of the calendar", d);
    if (y < 2000)
        return dberr_set(err, DB_EINVAL, "session date %.10s is before 2000", d);
    return DB_OK;
}

bool session_is_id(const char *s, size_t n)
{
    if (n < 1 || n > SESSION_ID_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

int session_survey_id_check(const char *s, size_t n, DbError *err)
{
    if (!session_is_id(s, n))
        return dberr_set(err, DB_EINVAL,
                         "survey id must be 1 to %d of [a-z0-9_], starting with a letter",
                         SESSION_ID_MAX);
    return DB_OK;
}
