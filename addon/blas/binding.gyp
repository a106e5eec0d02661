{
  # The BLAS/LAPACK addon (docs/kernels.md, "blas"): plain C against Node-API only, no link-time BLAS. The library is
  # found with dlopen at run time, so one build loads everywhere and reports "no BLAS" where there is none.
  "targets": [
    {
      "target_name": "svcca_blas",
      "sources": ["src/blas.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-std=c11", "-Wall", "-Wextra"],
      "conditions": [
        ["OS=='linux'", { "libraries": ["-ldl"] }],
        ["OS=='mac'", { "xcode_settings": { "GCC_C_LANGUAGE_STANDARD": "c11", "MACOSX_DEPLOYMENT_TARGET": "11.0" } }]
      ]
    }
  ]
}
