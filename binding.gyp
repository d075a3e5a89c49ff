{
  # Kernel tier: every .cc under native/kernels (pure C++17) and native/addon (N-API glue).
  # No system dependency beyond a C++ compiler. SIMD variants are compiled with function-level
  # target attributes and chosen at run time (native/kernels/cpu_features.h), so one binary
  # runs on any x86-64 CPU.
  "targets": [
    {
      "target_name": "sslmem_kernels",
      "sources": [
        "<!@(node -p \"['native/kernels','native/addon'].flatMap(d=>require('fs').readdirSync(d).filter(f=>f.endsWith('.cc')).sort().map(f=>d+'/'+f)).join(' ')\")"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3"]
      },
      "msvs_settings": {"VCCLCompilerTool": {"ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"]}}
    }
  ]
}
