import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import flowbiteReact from "flowbite-react/plugin/vite";

// The daemon serves dist/ and the API on one origin. In development the API
// (or dev/mock-server.mjs) is reached through the proxy below.
const api = process.env.PERCH_API ?? "http://127.0.0.1:18810";

export default defineConfig({
  plugins: [react(), tailwindcss(), flowbiteReact()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    port: 18800,
    strictPort: true,
    proxy: {
      "/api": { target: api, changeOrigin: false },
    },
  },
  preview: { port: 18801, strictPort: true },
});
