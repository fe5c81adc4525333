#!/usr/bin/env node
// The installed entry point. Node 24 runs the TypeScript sources directly (type stripping), so
// there is no build step between a checkout and a running server. Inside the project, `npx` and
// npm scripts put the project's own Node 24 (the `node` devDependency) first on the PATH.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `reelhouse needs Node.js 24 or newer (this is ${process.version}). ` +
      'Run it through npx or npm scripts inside the project, which use its own Node 24.\n',
  );
  process.exit(1);
}
await import('../src/cli/main.ts');
