# mk/common.mk: compiler settings and conventions shared by every directory's GNUmakefile.
# Include it as `include $(TOP)/mk/common.mk` after setting TOP to the tree's top.

CC       ?= cc
CSTD     := -std=c11 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Werror -Wno-unused-parameter
OPT      ?= -O2 -g
CFLAGS   ?=
CFLAGS   += $(CSTD) $(WARN) $(OPT) -fno-omit-frame-pointer -I$(TOP)/lib
LDFLAGS  ?=
LDLIBS   ?=

# AddressSanitizer + UndefinedBehaviorSanitizer build: binaries get a .san suffix.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1 -g

# libFuzzer builds use clang.
FUZZ_CC     ?= clang
FUZZ_FLAGS  := -fsanitize=fuzzer,address,undefined -g -O1 $(CSTD) -I$(TOP)/lib
FUZZ_SECONDS ?= 20

PKG = $(shell pkg-config --cflags --libs $(1))
PKG_CFLAGS = $(shell pkg-config --cflags $(1))
PKG_LIBS = $(shell pkg-config --libs $(1))

# The shared library code in lib/ is built as lib/libagentbench.a (and .san.a).
LIBAB     := $(TOP)/lib/libagentbench.a
LIBAB_SAN := $(TOP)/lib/libagentbench.san.a

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DATADIR  ?= $(PREFIX)/share/agentbench
