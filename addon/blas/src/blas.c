/*
 * svcca_blas: the machine's BLAS/LAPACK behind Node-API, found at run time.
 *
 * Nothing is linked at build time: open() dlopen()s a library (a path the JavaScript side chooses from SVCCA_BLAS or
 * the usual names) and looks up the Fortran-interface symbols (dgemm_, dsyevd_, ...), which every implementation
 * exports (OpenBLAS, MKL's mkl_rt, FlexiBLAS, reference BLAS + LAPACK, Apple Accelerate). A machine without one
 * still loads this addon and gets a reason string instead of functions.
 *
 * Every operation takes column-major operands exactly as BLAS/LAPACK do, on Float64Array or Float32Array (all
 * arrays of one call share the type; the type picks d* or s*). Extents are checked against each array's length
 * before the call, so a wrong shape is a JavaScript RangeError, never a write past a buffer. LAPACK's `info` is
 * returned as a number (0: success) for the JavaScript side to word.
 *
 * Calls are synchronous on the calling thread; the addon is context-aware (NAPI_MODULE_INIT), so every worker
 * thread may load it, and the library's own threads are set process-wide by setThreads().
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
typedef HMODULE lib_t;
static lib_t lib_open(const char *path) { return LoadLibraryA(path); }
static void *lib_sym(lib_t h, const char *name) { return (void *)GetProcAddress(h, name); }
static const char *lib_error(void) { return "LoadLibrary failed"; }
static void lib_lock(void) {}
static void lib_unlock(void) {}
#else
#include <dlfcn.h>
#include <pthread.h>
typedef void *lib_t;
static lib_t lib_open(const char *path) { return dlopen(path, RTLD_NOW | RTLD_LOCAL); }
static void *lib_sym(lib_t h, const char *name) { return dlsym(h, name); }
static const char *lib_error(void) {
  const char *e = dlerror();
  return e ? e : "dlopen failed";
}
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void lib_lock(void) { pthread_mutex_lock(&lock); }
static void lib_unlock(void) { pthread_mutex_unlock(&lock); }
#endif

typedef size_t flen; /* gfortran's hidden length of each CHARACTER argument; harmless where unused */

typedef void (*gemm_t)(const char *, const char *, const int *, const int *, const int *, const void *, const void *, const int *,
                       const void *, const int *, const void *, void *, const int *, flen, flen);
typedef void (*syrk_t)(const char *, const char *, const int *, const int *, const void *, const void *, const int *, const void *,
                       void *, const int *, flen, flen);
typedef void (*trsm_t)(const char *, const char *, const char *, const char *, const int *, const int *, const void *, const void *,
                       const int *, void *, const int *, flen, flen, flen, flen);
typedef void (*syevd_t)(const char *, const char *, const int *, void *, const int *, void *, void *, const int *, int *, const int *,
                        int *, flen, flen);
typedef void (*syevr_t)(const char *, const char *, const char *, const int *, void *, const int *, const void *, const void *,
                        const int *, const int *, const void *, int *, void *, void *, const int *, int *, void *, const int *, int *,
                        const int *, int *, flen, flen, flen);
typedef void (*gesdd_t)(const char *, const int *, const int *, void *, const int *, void *, void *, const int *, void *, const int *,
                        void *, const int *, int *, int *, flen);
typedef void (*potrf_t)(const char *, const int *, void *, const int *, int *, flen);
typedef void (*trtri_t)(const char *, const char *, const int *, void *, const int *, int *, flen, flen);
typedef void (*geqrf_t)(const int *, const int *, void *, const int *, void *, void *, const int *, int *);
typedef void (*orgqr_t)(const int *, const int *, const int *, void *, const int *, const void *, void *, const int *, int *);

/* One set of entry points per precision: [0] double, [1] single. */
typedef struct {
  gemm_t gemm;
  syrk_t syrk;
  trsm_t trsm;
  syevd_t syevd;
  syevr_t syevr;
  gesdd_t gesdd;
  potrf_t potrf;
  trtri_t trtri;
  geqrf_t geqrf;
  orgqr_t orgqr;
} routines;

static routines fn[2];
static int loaded = 0;
static char loaded_path[1024];
static char loaded_lapack[1024];
static lib_t handles[2];

/* Optional extras: thread control and a version string, where the library has them. */
static void (*set_threads_openblas)(int);
static int (*get_threads_openblas)(void);
static char *(*config_openblas)(void);
static void (*set_threads_mkl)(int);
static int (*get_threads_mkl)(void);
static void (*version_mkl)(char *, int);
static void (*set_threads_flexiblas)(int);
static int (*get_threads_flexiblas)(void);
static int (*backend_flexiblas)(char *, size_t);

static void *find(const char *name) {
  for (int i = 0; i < 2; i++) {
    if (!handles[i]) continue;
    void *p = lib_sym(handles[i], name);
    if (p) return p;
  }
  return NULL;
}

/* ---- argument helpers -------------------------------------------------------------------------------------- */

#define CHECK(call)                                                         \
  do {                                                                      \
    if ((call) != napi_ok) {                                                \
      napi_throw_error(env, NULL, "svcca_blas: internal Node-API failure"); \
      return NULL;                                                          \
    }                                                                       \
  } while (0)

static int arg_int(napi_env env, napi_value v, int *out) {
  int32_t x;
  if (napi_get_value_int32(env, v, &x) != napi_ok) {
    napi_throw_type_error(env, NULL, "svcca_blas: expected an integer");
    return 0;
  }
  *out = x;
  return 1;
}

static int arg_double(napi_env env, napi_value v, double *out) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "svcca_blas: expected a number");
    return 0;
  }
  return 1;
}

static int arg_char(napi_env env, napi_value v, char *out) {
  char buf[4];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, buf, sizeof buf, &len) != napi_ok || len != 1) {
    napi_throw_type_error(env, NULL, "svcca_blas: expected a one-letter flag");
    return 0;
  }
  *out = buf[0];
  return 1;
}

typedef struct {
  void *data;
  size_t length;
  int single; /* 1: Float32Array, 0: Float64Array */
} array;

/* A Float64Array or Float32Array; `single` must match `want` unless want < 0 (the first array sets it). */
static int arg_array(napi_env env, napi_value v, int want, array *out) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) {
    napi_throw_type_error(env, NULL, "svcca_blas: expected a Float64Array or Float32Array");
    return 0;
  }
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &out->length, &out->data, &buffer, &offset) != napi_ok) return 0;
  if (type != napi_float64_array && type != napi_float32_array) {
    napi_throw_type_error(env, NULL, "svcca_blas: expected a Float64Array or Float32Array");
    return 0;
  }
  out->single = type == napi_float32_array;
  if (want >= 0 && out->single != want) {
    napi_throw_type_error(env, NULL, "svcca_blas: all arrays of one call must share a type (Float64Array or Float32Array)");
    return 0;
  }
  return 1;
}

/* Whether a column-major rows × cols operand with leading dimension ld fits in `a`. */
static int fits(napi_env env, const array *a, int ld, int rows, int cols, const char *what) {
  if (rows < 0 || cols < 0 || ld < (rows > 1 ? rows : 1)) {
    napi_throw_range_error(env, NULL, "svcca_blas: bad extents or leading dimension");
    return 0;
  }
  if (rows == 0 || cols == 0) return 1;
  size_t need = (size_t)ld * (size_t)(cols - 1) + (size_t)rows;
  if (need > a->length) {
    char msg[160];
    snprintf(msg, sizeof msg, "svcca_blas: %s needs %zu values, the array has %zu", what, need, a->length);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

/* Whether a vector of `count` values fits in `a`. */
static int fits_vector(napi_env env, const array *a, int count, const char *what) {
  return fits(env, a, count > 1 ? count : 1, count, 1, what);
}

static int need_loaded(napi_env env) {
  if (loaded) return 1;
  napi_throw_error(env, NULL, "svcca_blas: no BLAS/LAPACK is open (call open() first)");
  return 0;
}

static napi_value number(napi_env env, double x) {
  napi_value v;
  napi_create_double(env, x, &v);
  return v;
}

static napi_value string(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

typedef union {
  double d;
  float f;
} scalar;

static scalar make_scalar(double x, int single) {
  scalar s;
  if (single) s.f = (float)x;
  else s.d = x;
  return s;
}

static size_t elem(int single) { return single ? sizeof(float) : sizeof(double); }

/* The optimal workspace LAPACK reported in work[0], as a count. */
static int workspace(const scalar *w, int single) {
  double x = single ? (double)w->f : w->d;
  return x < 1 ? 1 : (int)(x + 0.5);
}

#define ARGS(count)                                                                   \
  size_t argc = count;                                                                \
  napi_value argv[count];                                                             \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));                        \
  if (argc < count) {                                                                 \
    napi_throw_type_error(env, NULL, "svcca_blas: too few arguments");                \
    return NULL;                                                                      \
  }                                                                                   \
  if (!need_loaded(env)) return NULL

/* ---- library ----------------------------------------------------------------------------------------------- */

static const char *names[] = {"gemm_", "syrk_", "trsm_", "syevd_", "syevr_", "gesdd_", "potrf_", "trtri_", "geqrf_", "orgqr_"};

static int resolve(char *missing, size_t size) {
  for (int p = 0; p < 2; p++) {
    void **slots = (void **)&fn[p];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
      char sym[32];
      snprintf(sym, sizeof sym, "%c%s", p ? 's' : 'd', names[i]);
      slots[i] = find(sym);
      if (!slots[i]) {
        snprintf(missing, size, "%s", sym);
        return 0;
      }
    }
  }
  set_threads_openblas = (void (*)(int))find("openblas_set_num_threads");
  get_threads_openblas = (int (*)(void))find("openblas_get_num_threads");
  config_openblas = (char *(*)(void))find("openblas_get_config");
  set_threads_mkl = (void (*)(int))find("MKL_Set_Num_Threads");
  get_threads_mkl = (int (*)(void))find("MKL_Get_Max_Threads");
  version_mkl = (void (*)(char *, int))find("MKL_Get_Version_String");
  set_threads_flexiblas = (void (*)(int))find("flexiblas_set_num_threads");
  get_threads_flexiblas = (int (*)(void))find("flexiblas_get_num_threads");
  backend_flexiblas = (int (*)(char *, size_t))find("flexiblas_current_backend");
  return 1;
}

static int threads_now(void) {
  if (get_threads_openblas) return get_threads_openblas();
  if (get_threads_mkl) return get_threads_mkl();
  if (get_threads_flexiblas) return get_threads_flexiblas();
  return 0; /* unknown */
}

static napi_value describe(napi_env env) {
  napi_value out;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "path", string(env, loaded_path));
  napi_set_named_property(env, out, "lapackPath", string(env, loaded_lapack));
  char config[512] = "";
  if (config_openblas) snprintf(config, sizeof config, "%s", config_openblas());
  else if (version_mkl) version_mkl(config, (int)sizeof config - 1);
  else if (backend_flexiblas) {
    char name[256] = "";
    backend_flexiblas(name, sizeof name);
    snprintf(config, sizeof config, "FlexiBLAS %s", name);
  }
  napi_set_named_property(env, out, "config", string(env, config));
  napi_set_named_property(env, out, "threads", number(env, threads_now()));
  napi_value can;
  napi_get_boolean(env, set_threads_openblas || set_threads_mkl || set_threads_flexiblas, &can);
  napi_set_named_property(env, out, "threadControl", can);
  return out;
}

/* open(blasPath, lapackPath | ""): the library's description, or a string saying why it could not be used. Once a
 * library is open (by any thread), later calls return it whatever they name. */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[1024] = "", lapack[1024] = "";
  size_t len;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "svcca_blas: open(path, lapackPath) takes strings");
    return NULL;
  }
  if (argc > 1) napi_get_value_string_utf8(env, argv[1], lapack, sizeof lapack, &len);
  lib_lock();
  if (loaded) {
    lib_unlock();
    return describe(env);
  }
  char reason[1200] = "";
  handles[0] = lib_open(path);
  if (!handles[0]) snprintf(reason, sizeof reason, "%s", lib_error());
  if (handles[0] && lapack[0]) {
    handles[1] = lib_open(lapack);
    if (!handles[1]) snprintf(reason, sizeof reason, "%s", lib_error());
  }
  if (!reason[0]) {
    char missing[32];
    if (resolve(missing, sizeof missing)) {
      loaded = 1;
      snprintf(loaded_path, sizeof loaded_path, "%s", path);
      snprintf(loaded_lapack, sizeof loaded_lapack, "%s", lapack);
    } else {
      snprintf(reason, sizeof reason, "%s%s%s has no %s", path, lapack[0] ? " + " : "", lapack, missing);
    }
  }
  if (!loaded) {
    /* Not closed: some libraries start threads on load and do not survive dlclose. */
    handles[0] = handles[1] = NULL;
  }
  lib_unlock();
  return loaded ? describe(env) : string(env, reason);
}

static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  ARGS(1);
  int n;
  if (!arg_int(env, argv[0], &n)) return NULL;
  if (n < 1) n = 1;
  if (set_threads_openblas) set_threads_openblas(n);
  else if (set_threads_mkl) set_threads_mkl(n);
  else if (set_threads_flexiblas) set_threads_flexiblas(n);
  return number(env, threads_now());
}

static napi_value js_info(napi_env env, napi_callback_info info) {
  (void)info;
  if (!loaded) {
    napi_value u;
    napi_get_null(env, &u);
    return u;
  }
  return describe(env);
}

/* ---- BLAS -------------------------------------------------------------------------------------------------- */

/* gemm(transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc): C ← α·op(A)·op(B) + β·C. */
static napi_value js_gemm(napi_env env, napi_callback_info info) {
  ARGS(13);
  char ta, tb;
  int m, n, k, lda, ldb, ldc;
  double alpha, beta;
  array a, b, c;
  if (!arg_char(env, argv[0], &ta) || !arg_char(env, argv[1], &tb) || !arg_int(env, argv[2], &m) || !arg_int(env, argv[3], &n) ||
      !arg_int(env, argv[4], &k) || !arg_double(env, argv[5], &alpha) || !arg_array(env, argv[6], -1, &a) ||
      !arg_int(env, argv[7], &lda) || !arg_array(env, argv[8], a.single, &b) || !arg_int(env, argv[9], &ldb) ||
      !arg_double(env, argv[10], &beta) || !arg_array(env, argv[11], a.single, &c) || !arg_int(env, argv[12], &ldc))
    return NULL;
  int tA = ta == 'T' || ta == 't', tB = tb == 'T' || tb == 't';
  if (!fits(env, &a, lda, tA ? k : m, tA ? m : k, "A") || !fits(env, &b, ldb, tB ? n : k, tB ? k : n, "B") ||
      !fits(env, &c, ldc, m, n, "C"))
    return NULL;
  if (m == 0 || n == 0) return NULL;
  scalar al = make_scalar(alpha, a.single), be = make_scalar(beta, a.single);
  fn[a.single].gemm(&ta, &tb, &m, &n, &k, &al, a.data, &lda, b.data, &ldb, &be, c.data, &ldc, 1, 1);
  return NULL;
}

/* syrk(uplo, trans, n, k, alpha, A, lda, beta, C, ldc): C ← α·op(A)·op(A)ᵀ + β·C on the `uplo` triangle. */
static napi_value js_syrk(napi_env env, napi_callback_info info) {
  ARGS(10);
  char uplo, trans;
  int n, k, lda, ldc;
  double alpha, beta;
  array a, c;
  if (!arg_char(env, argv[0], &uplo) || !arg_char(env, argv[1], &trans) || !arg_int(env, argv[2], &n) || !arg_int(env, argv[3], &k) ||
      !arg_double(env, argv[4], &alpha) || !arg_array(env, argv[5], -1, &a) || !arg_int(env, argv[6], &lda) ||
      !arg_double(env, argv[7], &beta) || !arg_array(env, argv[8], a.single, &c) || !arg_int(env, argv[9], &ldc))
    return NULL;
  int t = trans == 'T' || trans == 't';
  if (!fits(env, &a, lda, t ? k : n, t ? n : k, "A") || !fits(env, &c, ldc, n, n, "C")) return NULL;
  if (n == 0) return NULL;
  scalar al = make_scalar(alpha, a.single), be = make_scalar(beta, a.single);
  fn[a.single].syrk(&uplo, &trans, &n, &k, &al, a.data, &lda, &be, c.data, &ldc, 1, 1);
  return NULL;
}

/* trsm(side, uplo, transA, diag, m, n, alpha, A, lda, B, ldb): B ← α·op(A)⁻¹·B (side L) or α·B·op(A)⁻¹ (side R). */
static napi_value js_trsm(napi_env env, napi_callback_info info) {
  ARGS(11);
  char side, uplo, ta, diag;
  int m, n, lda, ldb;
  double alpha;
  array a, b;
  if (!arg_char(env, argv[0], &side) || !arg_char(env, argv[1], &uplo) || !arg_char(env, argv[2], &ta) || !arg_char(env, argv[3], &diag) ||
      !arg_int(env, argv[4], &m) || !arg_int(env, argv[5], &n) || !arg_double(env, argv[6], &alpha) || !arg_array(env, argv[7], -1, &a) ||
      !arg_int(env, argv[8], &lda) || !arg_array(env, argv[9], a.single, &b) || !arg_int(env, argv[10], &ldb))
    return NULL;
  int order = side == 'L' || side == 'l' ? m : n;
  if (!fits(env, &a, lda, order, order, "A") || !fits(env, &b, ldb, m, n, "B")) return NULL;
  if (m == 0 || n == 0) return NULL;
  scalar al = make_scalar(alpha, a.single);
  fn[a.single].trsm(&side, &uplo, &ta, &diag, &m, &n, &al, a.data, &lda, b.data, &ldb, 1, 1, 1, 1);
  return NULL;
}

/* ---- LAPACK ------------------------------------------------------------------------------------------------ */

/* syevd(jobz, uplo, n, A, lda, W): eigenvalues ascending into W, eigenvectors (jobz V) over A. Returns info. */
static napi_value js_syevd(napi_env env, napi_callback_info info) {
  ARGS(6);
  char jobz, uplo;
  int n, lda;
  array a, w;
  if (!arg_char(env, argv[0], &jobz) || !arg_char(env, argv[1], &uplo) || !arg_int(env, argv[2], &n) || !arg_array(env, argv[3], -1, &a) ||
      !arg_int(env, argv[4], &lda) || !arg_array(env, argv[5], a.single, &w))
    return NULL;
  if (!fits(env, &a, lda, n, n, "A") || !fits_vector(env, &w, n, "W")) return NULL;
  if (n == 0) return number(env, 0);
  int s = a.single, lwork = -1, liwork = -1, iw, status = 0;
  scalar wq;
  fn[s].syevd(&jobz, &uplo, &n, a.data, &lda, w.data, &wq, &lwork, &iw, &liwork, &status, 1, 1);
  if (status != 0) return number(env, status);
  lwork = workspace(&wq, s);
  liwork = iw < 1 ? 1 : iw;
  void *work = malloc(elem(s) * (size_t)lwork);
  int *iwork = malloc(sizeof(int) * (size_t)liwork);
  if (!work || !iwork) {
    free(work);
    free(iwork);
    napi_throw_error(env, NULL, "svcca_blas: out of memory for the syevd workspace");
    return NULL;
  }
  fn[s].syevd(&jobz, &uplo, &n, a.data, &lda, w.data, work, &lwork, iwork, &liwork, &status, 1, 1);
  free(work);
  free(iwork);
  return number(env, status);
}

/* syevr(jobz, uplo, n, A, lda, W, Z, ldz): every eigenvalue (range A) ascending, eigenvectors into Z. Returns info. */
static napi_value js_syevr(napi_env env, napi_callback_info info) {
  ARGS(8);
  char jobz, uplo, range = 'A';
  int n, lda, ldz;
  array a, w, z;
  if (!arg_char(env, argv[0], &jobz) || !arg_char(env, argv[1], &uplo) || !arg_int(env, argv[2], &n) || !arg_array(env, argv[3], -1, &a) ||
      !arg_int(env, argv[4], &lda) || !arg_array(env, argv[5], a.single, &w) || !arg_array(env, argv[6], a.single, &z) ||
      !arg_int(env, argv[7], &ldz))
    return NULL;
  int vectors = jobz == 'V' || jobz == 'v';
  if (!fits(env, &a, lda, n, n, "A") || !fits_vector(env, &w, n, "W") || (vectors && !fits(env, &z, ldz, n, n, "Z"))) return NULL;
  if (n == 0) return number(env, 0);
  int s = a.single, lwork = -1, liwork = -1, iw, status = 0, found = 0, il = 0, iu = 0;
  scalar vl = make_scalar(0, s), vu = make_scalar(0, s), abstol = make_scalar(0, s), wq;
  int *isuppz = malloc(sizeof(int) * 2 * (size_t)n);
  if (!isuppz) {
    napi_throw_error(env, NULL, "svcca_blas: out of memory for the syevr workspace");
    return NULL;
  }
  fn[s].syevr(&jobz, &range, &uplo, &n, a.data, &lda, &vl, &vu, &il, &iu, &abstol, &found, w.data, z.data, &ldz, isuppz, &wq, &lwork, &iw,
              &liwork, &status, 1, 1, 1);
  if (status == 0) {
    lwork = workspace(&wq, s);
    liwork = iw < 1 ? 1 : iw;
    void *work = malloc(elem(s) * (size_t)lwork);
    int *iwork = malloc(sizeof(int) * (size_t)liwork);
    if (work && iwork) {
      fn[s].syevr(&jobz, &range, &uplo, &n, a.data, &lda, &vl, &vu, &il, &iu, &abstol, &found, w.data, z.data, &ldz, isuppz, work, &lwork,
                  iwork, &liwork, &status, 1, 1, 1);
    } else {
      status = -1000;
    }
    free(work);
    free(iwork);
  }
  free(isuppz);
  if (status == -1000) {
    napi_throw_error(env, NULL, "svcca_blas: out of memory for the syevr workspace");
    return NULL;
  }
  return number(env, status);
}

/* gesdd(jobz, m, n, A, lda, S, U, ldu, VT, ldvt): thin (S), all (A) or no (N) singular vectors. Returns info. */
static napi_value js_gesdd(napi_env env, napi_callback_info info) {
  ARGS(10);
  char jobz;
  int m, n, lda, ldu, ldvt;
  array a, sv, u, vt;
  if (!arg_char(env, argv[0], &jobz) || !arg_int(env, argv[1], &m) || !arg_int(env, argv[2], &n) || !arg_array(env, argv[3], -1, &a) ||
      !arg_int(env, argv[4], &lda) || !arg_array(env, argv[5], a.single, &sv) || !arg_array(env, argv[6], a.single, &u) ||
      !arg_int(env, argv[7], &ldu) || !arg_array(env, argv[8], a.single, &vt) || !arg_int(env, argv[9], &ldvt))
    return NULL;
  int r = m < n ? m : n;
  int thin = jobz == 'S' || jobz == 's', all = jobz == 'A' || jobz == 'a';
  if (!fits(env, &a, lda, m, n, "A") || !fits_vector(env, &sv, r, "S")) return NULL;
  if ((thin || all) && (!fits(env, &u, ldu, m, all ? m : r, "U") || !fits(env, &vt, ldvt, all ? n : r, n, "VT"))) return NULL;
  if (r == 0) return number(env, 0);
  int s = a.single, lwork = -1, status = 0;
  int *iwork = malloc(sizeof(int) * 8 * (size_t)r);
  if (!iwork) {
    napi_throw_error(env, NULL, "svcca_blas: out of memory for the gesdd workspace");
    return NULL;
  }
  scalar wq;
  fn[s].gesdd(&jobz, &m, &n, a.data, &lda, sv.data, u.data, &ldu, vt.data, &ldvt, &wq, &lwork, iwork, &status, 1);
  if (status == 0) {
    lwork = workspace(&wq, s);
    void *work = malloc(elem(s) * (size_t)lwork);
    if (work) fn[s].gesdd(&jobz, &m, &n, a.data, &lda, sv.data, u.data, &ldu, vt.data, &ldvt, work, &lwork, iwork, &status, 1);
    else status = -1000;
    free(work);
  }
  free(iwork);
  if (status == -1000) {
    napi_throw_error(env, NULL, "svcca_blas: out of memory for the gesdd workspace");
    return NULL;
  }
  return number(env, status);
}

/* potrf(uplo, n, A, lda): Cholesky in place. Returns info (> 0: the leading minor of that order is not positive). */
static napi_value js_potrf(napi_env env, napi_callback_info info) {
  ARGS(4);
  char uplo;
  int n, lda, status = 0;
  array a;
  if (!arg_char(env, argv[0], &uplo) || !arg_int(env, argv[1], &n) || !arg_array(env, argv[2], -1, &a) || !arg_int(env, argv[3], &lda))
    return NULL;
  if (!fits(env, &a, lda, n, n, "A")) return NULL;
  if (n == 0) return number(env, 0);
  fn[a.single].potrf(&uplo, &n, a.data, &lda, &status, 1);
  return number(env, status);
}

/* trtri(uplo, diag, n, A, lda): triangular inverse in place. Returns info (> 0: a zero diagonal entry). */
static napi_value js_trtri(napi_env env, napi_callback_info info) {
  ARGS(5);
  char uplo, diag;
  int n, lda, status = 0;
  array a;
  if (!arg_char(env, argv[0], &uplo) || !arg_char(env, argv[1], &diag) || !arg_int(env, argv[2], &n) || !arg_array(env, argv[3], -1, &a) ||
      !arg_int(env, argv[4], &lda))
    return NULL;
  if (!fits(env, &a, lda, n, n, "A")) return NULL;
  if (n == 0) return number(env, 0);
  fn[a.single].trtri(&uplo, &diag, &n, a.data, &lda, &status, 1, 1);
  return number(env, status);
}

/* geqrf(m, n, A, lda, tau) then orgqr(m, n, k, A, lda, tau): Householder QR and its explicit thin Q. Return info. */
static napi_value js_geqrf(napi_env env, napi_callback_info info) {
  ARGS(5);
  int m, n, lda, status = 0, lwork = -1;
  array a, tau;
  if (!arg_int(env, argv[0], &m) || !arg_int(env, argv[1], &n) || !arg_array(env, argv[2], -1, &a) || !arg_int(env, argv[3], &lda) ||
      !arg_array(env, argv[4], a.single, &tau))
    return NULL;
  if (!fits(env, &a, lda, m, n, "A") || !fits_vector(env, &tau, m < n ? m : n, "tau")) return NULL;
  if (m == 0 || n == 0) return number(env, 0);
  int s = a.single;
  scalar wq;
  fn[s].geqrf(&m, &n, a.data, &lda, tau.data, &wq, &lwork, &status);
  if (status != 0) return number(env, status);
  lwork = workspace(&wq, s);
  void *work = malloc(elem(s) * (size_t)lwork);
  if (!work) {
    napi_throw_error(env, NULL, "svcca_blas: out of memory for the geqrf workspace");
    return NULL;
  }
  fn[s].geqrf(&m, &n, a.data, &lda, tau.data, work, &lwork, &status);
  free(work);
  return number(env, status);
}

static napi_value js_orgqr(napi_env env, napi_callback_info info) {
  ARGS(6);
  int m, n, k, lda, status = 0, lwork = -1;
  array a, tau;
  if (!arg_int(env, argv[0], &m) || !arg_int(env, argv[1], &n) || !arg_int(env, argv[2], &k) || !arg_array(env, argv[3], -1, &a) ||
      !arg_int(env, argv[4], &lda) || !arg_array(env, argv[5], a.single, &tau))
    return NULL;
  if (k > n || n > m || !fits(env, &a, lda, m, n, "A") || !fits_vector(env, &tau, k, "tau")) {
    if (k > n || n > m) napi_throw_range_error(env, NULL, "svcca_blas: orgqr needs m ≥ n ≥ k");
    return NULL;
  }
  if (n == 0) return number(env, 0);
  int s = a.single;
  scalar wq;
  fn[s].orgqr(&m, &n, &k, a.data, &lda, tau.data, &wq, &lwork, &status);
  if (status != 0) return number(env, status);
  lwork = workspace(&wq, s);
  void *work = malloc(elem(s) * (size_t)lwork);
  if (!work) {
    napi_throw_error(env, NULL, "svcca_blas: out of memory for the orgqr workspace");
    return NULL;
  }
  fn[s].orgqr(&m, &n, &k, a.data, &lda, tau.data, work, &lwork, &status);
  free(work);
  return number(env, status);
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, js_info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, js_set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gemm", NULL, js_gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"syrk", NULL, js_syrk, NULL, NULL, NULL, napi_enumerable, NULL},
      {"trsm", NULL, js_trsm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"syevd", NULL, js_syevd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"syevr", NULL, js_syevr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gesdd", NULL, js_gesdd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"potrf", NULL, js_potrf, NULL, NULL, NULL, napi_enumerable, NULL},
      {"trtri", NULL, js_trtri, NULL, NULL, NULL, napi_enumerable, NULL},
      {"geqrf", NULL, js_geqrf, NULL, NULL, NULL, napi_enumerable, NULL},
      {"orgqr", NULL, js_orgqr, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
