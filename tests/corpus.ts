/** Where the finews corpus lives: beside this project, in ../shared (never copied into it). */
import { fileURLToPath } from "node:url";

export const FINEWS_DIR = fileURLToPath(new URL("../../shared/corpus/finews", import.meta.url));

/** The post the project was specified from. */
export const SPEC_POST = "_posts/2022-03-30-NW202203302328327187.md";
