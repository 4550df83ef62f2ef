// Node's built-in modules in a browser bundle that never calls them: ts-morph's in-memory file system needs no
// real one, and the TypeScript compiler reaches for Node only when it runs under Node.
module.exports = {};
