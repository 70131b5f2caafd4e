#!/usr/bin/env node
// The simdopt-lab command: a file that exists before the build, so that npm links it at install.
import "../dist/cli/main.js";
