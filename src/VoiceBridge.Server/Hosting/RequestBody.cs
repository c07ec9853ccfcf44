namespace VoiceBridge.Server.Hosting;

/// <summary>Reading a small request body whole, with a cap that holds whatever Content-Length claims.</summary>
internal static class RequestBody
{
    /// <summary>The body as bytes; null when it is (or says it is) larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAtMostAsync(HttpRequest request, int maxBytes)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        if (request.ContentLength is 0)
        {
            return [];
        }

        using var body = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
        {
            // Chunked bodies carry no length: the cap is counted as the bytes arrive.
            if (body.Length + read > maxBytes)
            {
                return null;
            }

            body.Write(buffer, 0, read);
        }

        return body.ToArray();
    }
}
