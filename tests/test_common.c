/* Tests for app/common: error buffers and file helpers. */
#include <dirent.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dberr.h"
#include "fsutil.h"
#include "testlib.h"

static char tmpdir[256];

static void test_dberr(void)
{
    DbError err;
    dberr_clear(&err);
    CHECK(err.code == DB_OK && err.msg[0] == '\0');
    CHECK(dberr_set(&err, DB_EIO, "%s: %d", "file", 3) == DB_EIO);
    CHECK_STR(err.msg, "file: 3");
    CHECK(dberr_prefix(&err, "ctx") == DB_EIO);
    CHECK_STR(err.msg, "ctx: file: 3");
    CHECK(dberr_set(NULL, DB_EINVAL, "x") == DB_EINVAL);
    char big[2 * DBERR_MSG_MAX];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    dberr_set(&err, DB_EINVAL, "%s", big);
    CHECK(strlen(err.msg) == DBERR_MSG_MAX - 1);
}

static void test_atomic_write_and_read(void)
{
    char path[512];
    DbError err;
    CHECK(fs_join(path, sizeof path, tmpdir, "f.bin", &err) == DB_OK);
    CHECK(fs_write_atomic(path, "hello", 5, 0600, &err) == DB_OK);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    uint8_t *data;
    size_t len;
    CHECK(fs_read_file(path, 100, 0, &data, &len, &err) == DB_OK);
    CHECK(len == 5 && memcmp(data, "hello", 5) == 0 && data[5] == '\0');
    free(data);
    /* Replacing keeps exactly the new content. */
    CHECK(fs_write_atomic(path, "hi", 2, 0644, &err) == DB_OK);
    CHECK(fs_read_file(path, 100, 0, &data, &len, &err) == DB_OK);
    CHECK(len == 2 && memcmp(data, "hi", 2) == 0);
    free(data);
    /* Over the limit. */
    CHECK(fs_read_file(path, 1, 0, &data, &len, &err) == DB_ELIMIT);
    CHECK(data == NULL);
    /* Missing file. */
    char missing[512];
    fs_join(missing, sizeof missing, tmpdir, "nope", &err);
    CHECK(fs_read_file(missing, 100, 0, &data, &len, &err) == DB_ENOENT);
    CHECK(strstr(err.msg, "nope") != NULL);
    /* Symlink refused unless asked. */
    char link[512];
    fs_join(link, sizeof link, tmpdir, "link", &err);
    CHECK(symlink(path, link) == 0);
    CHECK(fs_read_file(link, 100, 0, &data, &len, &err) == DB_EIO);
    CHECK(strstr(err.msg, "symbolic link") != NULL);
    CHECK(fs_read_file(link, 100, 1, &data, &len, &err) == DB_OK);
    free(data);
    /* A directory is not a regular file. */
    CHECK(fs_read_file(tmpdir, 100, 0, &data, &len, &err) == DB_EIO);
    unlink(link);
    unlink(path);
}

static void test_write_to_missing_dir_fails_cleanly(void)
{
    DbError err;
    CHECK(fs_write_atomic("/nonexistent-dir-debrief/x", "a", 1, 0600, &err) == DB_ENOENT);
    CHECK(strstr(err.msg, "/nonexistent-dir-debrief/x") != NULL);
}

/* Whether dir holds a file whose name starts with prefix. */
static int has_entry(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)) != NULL)
        found |= strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return found;
}

/* The atomic write in steps (a batch is streamed through it): nothing at the target until
 * the commit, no temporary file after an abort or a failed step, the commit replaces. */
static void test_atomic_steps(void)
{
    char path[512];
    DbError err;
    CHECK(fs_join(path, sizeof path, tmpdir, "steps.bin", &err) == DB_OK);
    FsAtomic a;
    CHECK(fs_atomic_open(path, 0644, &a, &err) == DB_OK);
    CHECK(fs_atomic_write(&a, "part one, ", 10, &err) == DB_OK);
    CHECK(fs_atomic_write(&a, "part two", 8, &err) == DB_OK);
    CHECK(fs_atomic_sync(&a, &err) == DB_OK);
    CHECK(access(path, F_OK) != 0 && has_entry(tmpdir, "steps.bin.tmp-"));
    fs_atomic_abort(&a);
    CHECK(!has_entry(tmpdir, "steps.bin"));
    fs_atomic_abort(&a); /* twice: a no-op */

    CHECK(fs_atomic_open(path, 0640, &a, &err) == DB_OK);
    CHECK(fs_atomic_write(&a, "whole", 5, &err) == DB_OK);
    CHECK(fs_atomic_sync(&a, &err) == DB_OK);
    CHECK(fs_atomic_commit(&a, &err) == DB_OK);
    uint8_t *data;
    size_t len;
    CHECK(fs_read_file(path, 100, 0, &data, &len, &err) == DB_OK);
    CHECK(len == 5 && memcmp(data, "whole", 5) == 0);
    free(data);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
    CHECK(!has_entry(tmpdir, "steps.bin.tmp-"));
    fs_atomic_abort(&a); /* after a commit: leaves the file alone */
    CHECK(access(path, F_OK) == 0);

    /* A failed write (a closed descriptor stands in for a full disk) removes the temp. */
    CHECK(fs_atomic_open(path, 0644, &a, &err) == DB_OK);
    close(a.fd);
    CHECK(fs_atomic_write(&a, "x", 1, &err) == DB_EIO);
    CHECK(strstr(err.msg, "steps.bin: write:") != NULL);
    CHECK(!has_entry(tmpdir, "steps.bin.tmp-"));
    fs_atomic_abort(&a);
    CHECK(fs_atomic_open("/nonexistent-dir-debrief/y", 0644, &a, &err) == DB_ENOENT);
    fs_atomic_abort(&a);
    unlink(path);
}

static void test_mkdir_p(void)
{
    char path[512];
    DbError err;
    fs_join(path, sizeof path, tmpdir, "a/b/c", &err);
    CHECK(fs_mkdir_p(path, 0700, &err) == DB_OK);
    CHECK(fs_mkdir_p(path, 0700, &err) == DB_OK);
    struct stat st;
    CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(fs_free_bytes(path) > 0);
}

/* A user's name, as the messages show it (into a static buffer). */
static const char *user(uid_t uid)
{
    struct passwd *pw = getpwuid(uid);
    static char name[64];
    if (pw)
        snprintf(name, sizeof name, "%s", pw->pw_name);
    else
        snprintf(name, sizeof name, "uid %u", (unsigned)uid);
    return name;
}

static const char *me(void)
{
    return user(geteuid());
}

/* Issue 15: what others could change is refused, naming the file, its mode and the fix. */
static void test_check_private(void)
{
    char dir[] = "/tmp/debrief-test-private-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char f[256], sub[256], g[300], link[256], want[1024];
    snprintf(f, sizeof f, "%s/key.pub", dir);
    snprintf(sub, sizeof sub, "%s/open", dir);
    snprintf(g, sizeof g, "%s/key.pub", sub);
    snprintf(link, sizeof link, "%s/link.pub", dir);
    DbError err;
    CHECK(fs_write_atomic(f, "x", 1, 0644, &err) == DB_OK);
    CHECK(fs_check_file_private(f, "recipient key", NULL, &err) == DB_OK);
    /* Missing: the reader says so. */
    CHECK(fs_check_file_private("/nonexistent/x", "survey", NULL, &err) == DB_OK);
    CHECK(chmod(f, 0664) == 0);
    CHECK(fs_check_file_private(f, "recipient key", NULL, &err) == DB_EINVAL);
    snprintf(want, sizeof want,
             "recipient key %s: mode 0664 (owner %s) lets other users change it; fix with: "
             "chmod go-w %s",
             f, me(), f);
    CHECK_STR(err.msg, want);
    CHECK(chmod(f, 0602) == 0);
    CHECK(fs_check_file_private(f, "recipient key", NULL, &err) == DB_EINVAL);
    CHECK(chmod(f, 0644) == 0);
    /* A link to it from a directory others can write: the link could be replaced. */
    CHECK(mkdir(sub, 0755) == 0 && chmod(sub, 0777) == 0 && symlink(f, g) == 0);
    CHECK(fs_check_file_private(g, "survey", NULL, &err) == DB_EINVAL);
    snprintf(want, sizeof want,
             "survey %s: directory %s (mode 0777, owner %s) lets other users replace it; fix "
             "with: chmod go-w %s",
             g, sub, me(), sub);
    CHECK_STR(err.msg, want);
    CHECK(chmod(sub, 01777) == 0); /* sticky: they cannot */
    CHECK(fs_check_file_private(g, "survey", NULL, &err) == DB_OK);
    /* A link to a file in such a directory. */
    CHECK(chmod(sub, 0777) == 0 && unlink(g) == 0);
    CHECK(fs_write_atomic(g, "y", 1, 0644, &err) == DB_OK && symlink(g, link) == 0);
    CHECK(fs_check_file_private(link, "configuration", NULL, &err) == DB_EINVAL);
    CHECK(strstr(err.msg, ": directory ") != NULL);
    /* A directory the kiosk writes: not writable by others, sticky or not. */
    CHECK(fs_check_dir_private(dir, "data directory", &err) == DB_OK);
    CHECK(chmod(sub, 01777) == 0);
    CHECK(fs_check_dir_private(sub, "data directory", &err) == DB_EINVAL);
    snprintf(want, sizeof want,
             "data directory %s: mode 1777 (owner %s) lets other users change it; fix with: "
             "chmod go-w %s",
             sub, me(), sub);
    CHECK_STR(err.msg, want);
    CHECK(chmod(sub, 0755) == 0);
    CHECK(fs_check_dir_private(sub, "data directory", &err) == DB_OK);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

/* Review of issue 15: what fs_check_file_private lets through. Each case is a file that a
 * user other than the kiosk's (and root) can change or replace, which the issue asks to
 * refuse. Expected: DB_EINVAL for every one. */
static void test_check_private_paths(void)
{
    char dir[] = "/tmp/debrief-test-private2-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK(chmod(dir, 0755) == 0);
    char open_dir[100], sub[200], deep[300], safe[100], real[300], hop[300], entry[300];
    DbError err;
    /* 1. A directory two levels up that others can write (not sticky): they rename sub away
     *    and put their own sub/key.pub in its place. */
    snprintf(open_dir, sizeof open_dir, "%s/open", dir);
    snprintf(sub, sizeof sub, "%s/sub", open_dir);
    snprintf(deep, sizeof deep, "%s/key.pub", sub);
    CHECK(mkdir(open_dir, 0755) == 0 && chmod(open_dir, 0777) == 0 && mkdir(sub, 0755) == 0);
    CHECK(fs_write_atomic(deep, "x", 1, 0644, &err) == DB_OK);
    CHECK(fs_check_file_private(deep, "recipient key", NULL, &err) == DB_EINVAL);
    char want[1024];
    snprintf(want, sizeof want,
             "recipient key %s: directory %s (mode 0777, owner %s) lets other users replace it; "
             "fix with: chmod go-w %s",
             deep, open_dir, me(), open_dir);
    CHECK_STR(err.msg, want);
    /* 2. A link in a safe directory to a link in a directory others can write, which points
     *    back into the safe directory: the middle link can be replaced. */
    snprintf(safe, sizeof safe, "%s/safe", dir);
    snprintf(real, sizeof real, "%s/real.pub", safe);
    snprintf(hop, sizeof hop, "%s/hop.pub", open_dir);
    snprintf(entry, sizeof entry, "%s/entry.pub", safe);
    CHECK(mkdir(safe, 0755) == 0 && fs_write_atomic(real, "x", 1, 0644, &err) == DB_OK);
    CHECK(symlink(real, hop) == 0 && symlink(hop, entry) == 0);
    CHECK(fs_check_file_private(entry, "survey", NULL, &err) == DB_EINVAL);
    snprintf(want, sizeof want,
             "survey %s: directory %s (mode 0777, owner %s) lets other users replace it; fix "
             "with: chmod go-w %s",
             entry, open_dir, me(), open_dir);
    CHECK_STR(err.msg, want);
    CHECK(fs_check_file_private(real, "survey", NULL, &err) == DB_OK); /* itself: fine */
    /* 3. Owned by another unprivileged user (nobody), mode 0644: that user can rewrite it. */
    if (geteuid() != 0) {
        TEST_SKIP("needs root to give a file to another user");
    } else {
        char theirs[300], their_dir[100], inside[300];
        snprintf(theirs, sizeof theirs, "%s/theirs.pub", safe);
        CHECK(fs_write_atomic(theirs, "x", 1, 0644, &err) == DB_OK);
        CHECK(chown(theirs, 65534, 65534) == 0);
        CHECK(fs_check_file_private(theirs, "recipient key", NULL, &err) == DB_EINVAL);
        snprintf(want, sizeof want,
                 "recipient key %s: owned by %s (mode 0644), who could change it; fix with: "
                 "chown root %s",
                 theirs, user(65534), theirs);
        CHECK_STR(err.msg, want);
        /* 4. A root-owned 0644 file in a 0755 directory that belongs to nobody. */
        snprintf(their_dir, sizeof their_dir, "%s/nobodys", dir);
        snprintf(inside, sizeof inside, "%s/key.pub", their_dir);
        CHECK(mkdir(their_dir, 0755) == 0 && fs_write_atomic(inside, "x", 1, 0644, &err) == DB_OK);
        CHECK(chown(their_dir, 65534, 65534) == 0);
        CHECK(fs_check_file_private(inside, "configuration", NULL, &err) == DB_EINVAL);
        snprintf(want, sizeof want,
                 "configuration %s: directory %s is owned by %s (mode 0755), who could replace "
                 "it; fix with: chown root %s",
                 inside, their_dir, user(65534), their_dir);
        CHECK_STR(err.msg, want);
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

/* The rest of the rule: relative paths and link targets, a link loop, a link's target that
 * others can change, sticky directories and links that belong to others, and who is trusted
 * (as root, the owner of the data directory: IT staff run --selftest and the coordinator's
 * commands as root on the service user's files). */
static void test_check_private_rule(void)
{
    char dir[] = "/tmp/debrief-test-private3-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK(chmod(dir, 0755) == 0);
    char open_dir[100], safe[100], real[300], rel[300], up[300], loop1[300], loop2[300];
    char wide[300], to_wide[300], want[1024], cwd[4096];
    DbError err;
    snprintf(open_dir, sizeof open_dir, "%s/open", dir);
    snprintf(safe, sizeof safe, "%s/safe", dir);
    snprintf(real, sizeof real, "%s/real.pub", safe);
    CHECK(mkdir(open_dir, 0755) == 0 && chmod(open_dir, 0777) == 0 && mkdir(safe, 0755) == 0);
    CHECK(fs_write_atomic(real, "x", 1, 0644, &err) == DB_OK);
    /* Relative paths start from the working directory, whose own path is checked too. */
    CHECK(getcwd(cwd, sizeof cwd) != NULL && chdir(safe) == 0);
    CHECK(fs_check_file_private("real.pub", "survey", NULL, &err) == DB_OK);
    CHECK(fs_check_file_private("./../safe/real.pub", "survey", NULL, &err) == DB_OK);
    CHECK(chdir(open_dir) == 0);
    CHECK(fs_check_file_private("../safe/real.pub", "survey", NULL, &err) == DB_OK);
    CHECK(fs_write_atomic("mine.pub", "x", 1, 0644, &err) == DB_OK);
    CHECK(fs_check_file_private("mine.pub", "survey", NULL, &err) == DB_EINVAL);
    CHECK(strstr(err.msg, "survey mine.pub: directory ") != NULL);
    CHECK(chdir(cwd) == 0);
    /* Relative link targets, ".." in them: resolved from the link's directory. */
    snprintf(rel, sizeof rel, "%s/rel.pub", safe);
    snprintf(up, sizeof up, "%s/up.pub", safe);
    CHECK(symlink("../safe/./real.pub", rel) == 0 && symlink("../open/mine.pub", up) == 0);
    CHECK(fs_check_file_private(rel, "recipient key", NULL, &err) == DB_OK);
    CHECK(fs_check_file_private(up, "recipient key", NULL, &err) == DB_EINVAL);
    snprintf(want, sizeof want,
             "recipient key %s: directory %s (mode 0777, owner %s) lets other users replace it; "
             "fix with: chmod go-w %s",
             up, open_dir, me(), open_dir);
    CHECK_STR(err.msg, want);
    /* A loop of links. */
    snprintf(loop1, sizeof loop1, "%s/loop1", safe);
    snprintf(loop2, sizeof loop2, "%s/loop2", safe);
    CHECK(symlink(loop2, loop1) == 0 && symlink(loop1, loop2) == 0);
    CHECK(fs_check_file_private(loop1, "survey", NULL, &err) == DB_EINVAL);
    CHECK(strstr(err.msg, "too many levels of symbolic links") != NULL);
    /* A link to a file others can write: the target is named. */
    snprintf(wide, sizeof wide, "%s/wide.pub", safe);
    snprintf(to_wide, sizeof to_wide, "%s/to-wide.pub", safe);
    CHECK(fs_write_atomic(wide, "x", 1, 0666, &err) == DB_OK && chmod(wide, 0666) == 0);
    CHECK(symlink("wide.pub", to_wide) == 0);
    CHECK(fs_check_file_private(to_wide, "recipient key", NULL, &err) == DB_EINVAL);
    snprintf(want, sizeof want,
             "recipient key %s: its target %s (mode 0666, owner %s) lets other users change it; "
             "fix with: chmod go-w %s",
             to_wide, wide, me(), wide);
    CHECK_STR(err.msg, want);
    /* A data directory reached through a link is checked where it is. */
    char data_link[300];
    snprintf(data_link, sizeof data_link, "%s/data", safe);
    CHECK(symlink("..", data_link) == 0);
    CHECK(fs_check_dir_private(data_link, "data directory", &err) == DB_OK);
    CHECK(unlink(data_link) == 0 && symlink("../open", data_link) == 0);
    CHECK(fs_check_dir_private(data_link, "data directory", &err) == DB_EINVAL);
    CHECK(strstr(err.msg, "its target ") != NULL && strstr(err.msg, "chmod go-w") != NULL);

    if (geteuid() != 0) {
        TEST_SKIP("needs root to give files to other users");
    } else {
        /* A sticky directory protects only entries that belong to a trusted user. */
        char sticky[100], planted[300], their_link[300];
        snprintf(sticky, sizeof sticky, "%s/sticky", dir);
        snprintf(planted, sizeof planted, "%s/key.pub", sticky);
        CHECK(mkdir(sticky, 0755) == 0 && chmod(sticky, 01777) == 0);
        CHECK(fs_write_atomic(planted, "x", 1, 0644, &err) == DB_OK);
        CHECK(fs_check_file_private(planted, "recipient key", NULL, &err) == DB_OK);
        CHECK(chown(planted, 65534, 65534) == 0);
        CHECK(fs_check_file_private(planted, "recipient key", NULL, &err) == DB_EINVAL);
        CHECK(strstr(err.msg, "fix with: chown root ") != NULL);
        /* A link that belongs to another user. */
        snprintf(their_link, sizeof their_link, "%s/their-link.pub", safe);
        CHECK(symlink(real, their_link) == 0 && lchown(their_link, 65534, 65534) == 0);
        CHECK(fs_check_file_private(their_link, "survey", NULL, &err) == DB_EINVAL);
        snprintf(want, sizeof want,
                 "survey %s: link %s is owned by %s, who could replace it; fix with: chown -h "
                 "root %s",
                 their_link, their_link, user(65534), their_link);
        CHECK_STR(err.msg, want);

        /* The service's data directory (nobody's here) and what is in it, checked by root. */
        char data[100], pin[300], survey[300];
        snprintf(data, sizeof data, "%s/data", dir);
        snprintf(pin, sizeof pin, "%s/admin-pin", data);
        snprintf(survey, sizeof survey, "%s/survey.json", dir);
        CHECK(mkdir(data, 0700) == 0 && fs_write_atomic(pin, "x", 1, 0600, &err) == DB_OK);
        CHECK(fs_write_atomic(survey, "x", 1, 0644, &err) == DB_OK);
        CHECK(chown(data, 65534, 65534) == 0 && chown(pin, 65534, 65534) == 0);
        CHECK(fs_check_dir_private(data, "data directory", &err) == DB_OK);
        CHECK(fs_check_file_private(pin, "coordinator PIN", data, &err) == DB_OK);
        CHECK(fs_check_file_private(survey, "survey", data, &err) == DB_OK);
        /* ... but not without it, nor for files of a third user. */
        CHECK(fs_check_file_private(pin, "coordinator PIN", NULL, &err) == DB_EINVAL);
        CHECK(chown(survey, 65533, 65533) == 0);
        CHECK(fs_check_file_private(survey, "survey", data, &err) == DB_EINVAL);
        CHECK(strstr(err.msg, "who could change it; fix with: chown root ") != NULL);
        /* As nobody (not root): its own data directory, not a third user's. */
        char theirs[100];
        snprintf(theirs, sizeof theirs, "%s/theirs", dir);
        CHECK(mkdir(theirs, 0700) == 0 && chown(theirs, 65533, 65533) == 0);
        char third[64], nobody[64];
        snprintf(third, sizeof third, "%s", user(65533));
        snprintf(nobody, sizeof nobody, "%s", user(65534));
        snprintf(want, sizeof want,
                 "data directory %s: owned by %s (mode 0700), not by this user (%s) or root; run "
                 "as %s, or fix with: chown %s %s",
                 theirs, third, nobody, third, nobody, theirs);
        pid_t pid = fork();
        if (pid == 0) {
            if (setgid(65534) != 0 || setuid(65534) != 0)
                _exit(3);
            DbError e;
            if (fs_check_dir_private(data, "data directory", &e) != DB_OK)
                _exit(4);
            if (fs_check_file_private(pin, "coordinator PIN", data, &e) != DB_OK)
                _exit(5);
            if (fs_check_dir_private(theirs, "data directory", &e) != DB_EINVAL)
                _exit(6);
            _exit(strcmp(e.msg, want) != 0 ? 7 : 0);
        }
        int st = -1;
        CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            fprintf(stderr, "  as nobody: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/debrief-test-common-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_dberr);
    RUN(test_atomic_write_and_read);
    RUN(test_write_to_missing_dir_fails_cleanly);
    RUN(test_atomic_steps);
    RUN(test_mkdir_p);
    RUN(test_check_private);
    RUN(test_check_private_paths);
    RUN(test_check_private_rule);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", tmpdir);
    return test_report();
}
