// The smallest function: it uses nothing from the extension, so it runs the same on an image with and
// without it, and any difference in its cold start is what the extension's presence costs.
export const handler = async () => ({ ok: true });
