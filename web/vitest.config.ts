import { defineConfig } from "vitest/config";

// Unit tests cover the plain TypeScript modules in src/lib (no DOM needed).
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
    watch: false,
  },
});
