// Moved to config/stack-files.ts: the program reads the other stack files too (config/load.ts).
export * from "../config/stack-files";
