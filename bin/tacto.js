#!/usr/bin/env node
// Tacto's CLI. Node >= 22.18 runs the TypeScript sources directly (type stripping).
import '../src/main.ts';
