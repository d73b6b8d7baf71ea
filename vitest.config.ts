import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["tests/**/*.test.ts", "src/**/*.test.ts"],
          exclude: ["tests/worker/**", "src/worker/**", "**/node_modules/**"],
          environment: "node",
          testTimeout: 60_000,
        },
      },
    ],
  },
});
