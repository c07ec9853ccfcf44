namespace VoiceBridge.Server.Telemetry;

internal static class ListenAddressExtensions
{
    /// <summary>The documented default address when nothing else (ASPNETCORE_URLS, --urls, HTTP_PORTS) is configured.</summary>
    public const string DefaultUrl = "http://localhost:8084";

    public static WebApplicationBuilder UseDefaultListenAddress(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration["urls"])
            && string.IsNullOrEmpty(configuration["http_ports"])
            && string.IsNullOrEmpty(configuration["https_ports"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        return builder;
    }
}
