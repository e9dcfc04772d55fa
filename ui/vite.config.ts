import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The UI is embedded in the app and served by Tauri's own protocol: relative asset paths, no dev
// server in production builds.
export default defineConfig({
  plugins: [svelte()],
  base: "./",
  clearScreen: false,
  // Components are tested in jsdom with the IPC module mocked (src/**/*.test.ts).
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
  },
  resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
});
