# decode.mk: the ingester's profile decoders (decode.h): their sources, the protobuf-c
# generation of proto/*.proto, and their own unit tests, fuzz targets and benchmark.
# Included by ingester/GNUmakefile, or used alone from anywhere:
#   make -f ingester/decode.mk decode-unit        unit tests (qa/unit/ingester/test_decode*.c)
#   make -f ingester/decode.mk decode-unit-san    the same under ASan+UBSan
#   make -f ingester/decode.mk decode-fuzz        each fuzz target for $(FUZZ_SECONDS) s
#   make -f ingester/decode.mk decode-bench       pprof decode throughput
#   make -f ingester/decode.mk decode-proto       generate proto/*.pb-c.[ch]
# Every variable and target here starts with DECODE_ / decode- so as not to collide.

DECODE_DIR := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
TOP ?= $(abspath $(DECODE_DIR)/..)
ifndef SAN_FLAGS
include $(TOP)/mk/common.mk
endif

DECODE_PROTOS    := $(wildcard $(DECODE_DIR)/proto/*.proto)
PROTO_SRCS       := $(DECODE_PROTOS:.proto=.pb-c.c)
PROTO_HDRS       := $(DECODE_PROTOS:.proto=.pb-c.h)
DECODE_SRCS      := $(addprefix $(DECODE_DIR)/,decode.c decode_util.c folded.c trie.c gzip.c jfr.c \
                      pprof.c pprof_arena.c multipart.c push.c)
DECODE_HDRS      := $(addprefix $(DECODE_DIR)/,decode.h decode_internal.h pprof_arena.h multipart.h) \
                    $(PROTO_HDRS)
DECODE_PKGS      := libprotobuf-c zlib jansson libdeflate
DECODE_CFLAGS    := $(CSTD) $(WARN) -fno-omit-frame-pointer -I$(DECODE_DIR) $(call PKG_CFLAGS,$(DECODE_PKGS))
DECODE_LIBS      := $(call PKG_LIBS,$(DECODE_PKGS))

DECODE_UNIT_DIR  := $(TOP)/qa/unit/ingester
DECODE_TESTS     := $(sort $(notdir $(basename $(wildcard $(DECODE_UNIT_DIR)/test_decode*.c))))
DECODE_OBJ       := $(DECODE_DIR)/obj-decode
DECODE_TEST_BINS := $(DECODE_TESTS:%=$(DECODE_OBJ)/%)
DECODE_SAN_BINS  := $(DECODE_TESTS:%=$(DECODE_OBJ)/%.san)
DECODE_FUZZERS   := fuzz_ingest fuzz_pprof fuzz_multipart fuzz_push
DECODE_CORPUS    := $(TOP)/qa/fuzz-corpus/ingester

.PHONY: decode-all decode-proto decode-unit decode-unit-san decode-fuzz decode-fuzz-build \
        decode-bench decode-clean

decode-all: $(DECODE_TEST_BINS) $(DECODE_OBJ)/bench_decode

# protobuf-c: generated next to the .proto, includes relative to proto/.
decode-proto: $(PROTO_SRCS)
$(DECODE_DIR)/proto/%.pb-c.c $(DECODE_DIR)/proto/%.pb-c.h: $(DECODE_DIR)/proto/%.proto
	cd $(DECODE_DIR)/proto && protoc-c --proto_path=. --c_out=. $(notdir $<)

$(DECODE_OBJ):
	mkdir -p $@

# Unit tests: each test_decode*.c compiled with the decoders (plain, then sanitized).
$(DECODE_OBJ)/test_decode%: $(DECODE_UNIT_DIR)/test_decode%.c $(DECODE_UNIT_DIR)/decode_testlib.h $(DECODE_DIR)/fuzz/fuzz_targets.h \
                            $(DECODE_SRCS) $(PROTO_SRCS) $(DECODE_HDRS) | $(DECODE_OBJ)
	$(CC) $(DECODE_CFLAGS) -O2 -g -I$(DECODE_UNIT_DIR) -o $@ $< $(DECODE_SRCS) $(PROTO_SRCS) $(DECODE_LIBS)
$(DECODE_OBJ)/test_decode%.san: $(DECODE_UNIT_DIR)/test_decode%.c $(DECODE_UNIT_DIR)/decode_testlib.h $(DECODE_DIR)/fuzz/fuzz_targets.h \
                                $(DECODE_SRCS) $(PROTO_SRCS) $(DECODE_HDRS) | $(DECODE_OBJ)
	$(CC) $(DECODE_CFLAGS) $(SAN_FLAGS) -I$(DECODE_UNIT_DIR) -o $@ $< $(DECODE_SRCS) $(PROTO_SRCS) $(DECODE_LIBS)

decode-unit: $(DECODE_TEST_BINS)
	@for t in $(DECODE_TEST_BINS); do echo "# $$(basename $$t)"; $$t $(DECODE_CORPUS) || exit 1; done

decode-unit-san: $(DECODE_SAN_BINS)
	@for t in $(DECODE_SAN_BINS); do echo "# $$(basename $$t)"; \
	    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t $(DECODE_CORPUS) || exit 1; done

# libFuzzer targets (clang). Seeds and kept crashes: qa/fuzz-corpus/ingester/<target>/;
# new inputs go to a scratch directory; crash-*, leak-*, timeout-*, oom-* next to the seeds.
$(DECODE_OBJ)/fuzz_%: $(DECODE_DIR)/fuzz/fuzz_%.c $(DECODE_DIR)/fuzz/fuzz_targets.h $(DECODE_SRCS) $(PROTO_SRCS) $(DECODE_HDRS) | $(DECODE_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(DECODE_DIR) $(call PKG_CFLAGS,$(DECODE_PKGS)) -o $@ $< \
	    $(DECODE_SRCS) $(PROTO_SRCS) $(DECODE_LIBS)

decode-fuzz-build: $(DECODE_FUZZERS:%=$(DECODE_OBJ)/%)

decode-fuzz: decode-fuzz-build
	@for f in $(DECODE_FUZZERS); do \
	    scratch=$$(mktemp -d /tmp/agentbench-fuzz-$$f.XXXXXX); \
	    echo "# $$f for $(FUZZ_SECONDS)s"; \
	    if $(DECODE_OBJ)/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=1024 \
	        -print_final_stats=1 -timeout=10 -artifact_prefix=$(DECODE_CORPUS)/$$f/ \
	        $$scratch $(DECODE_CORPUS)/$$f >$$scratch.log 2>&1; then \
	        grep -E '^(Done|stat::number_of_executed_units)' $$scratch.log; \
	        rm -rf $$scratch $$scratch.log; \
	    else \
	        tail -40 $$scratch.log; rm -rf $$scratch; \
	        echo "$$f: FAILED; the input is kept in $(DECODE_CORPUS)/$$f/ (log $$scratch.log)"; exit 1; \
	    fi; \
	done

# Benchmark: pprof decode throughput (goal >= 200 MB/s decompressed).
$(DECODE_OBJ)/bench_decode: $(DECODE_DIR)/bench/bench_decode.c $(DECODE_UNIT_DIR)/decode_testlib.h \
                             $(DECODE_SRCS) $(PROTO_SRCS) $(DECODE_HDRS) | $(DECODE_OBJ)
	$(CC) $(DECODE_CFLAGS) -O2 -g -I$(DECODE_UNIT_DIR) -o $@ $< $(DECODE_SRCS) $(PROTO_SRCS) $(DECODE_LIBS)

decode-bench: $(DECODE_OBJ)/bench_decode
	$(DECODE_OBJ)/bench_decode

decode-clean:
	rm -rf $(DECODE_OBJ)
