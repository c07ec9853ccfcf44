using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Hosting;

/// <summary>What sits in front of the server: the reverse proxies it believes (<c>ForwardedHeaders</c>).</summary>
internal static partial class HostingExtensions
{
    public static WebApplicationBuilder AddTrustedProxies(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<TrustedProxyOptions>()
            .BindConfiguration(TrustedProxyOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                // ForwardedHeaders__KnownProxies__0=… (or a JSON array) as well as one comma-separated value: the binder
                // leaves a string property alone when its key has children.
                options.KnownProxies = Listed(configuration, nameof(TrustedProxyOptions.KnownProxies)) ?? options.KnownProxies;
                options.KnownNetworks = Listed(configuration, nameof(TrustedProxyOptions.KnownNetworks)) ?? options.KnownNetworks;
            });
        services.AddSingleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyOptionsAnnotations>();
        services.AddSingleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyOptionsValidator>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((forwarded, configured) =>
        {
            var trusted = configured.Value;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in TrustedProxyOptions.Entries(trusted.KnownProxies))
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in TrustedProxyOptions.Entries(trusted.KnownNetworks))
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }

            // The middleware believes every sender when both lists are empty; here that means no one is trusted.
            forwarded.ForwardedHeaders = forwarded.KnownProxies.Count + forwarded.KnownIPNetworks.Count == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            forwarded.ForwardLimit = trusted.ForwardLimit;
        });
        return builder;
    }

    /// <summary>
    /// Where socket I/O continues (experiment: VOICEBRIDGE_INLINE_IO=1 runs Kestrel's application code inline on its I/O
    /// threads and socket completions on the epoll thread).
    /// </summary>
    public static WebApplicationBuilder UseIoScheduling(this WebApplicationBuilder builder)
    {
        if (Environment.GetEnvironmentVariable("VOICEBRIDGE_INLINE_IO") == "1")
        {
            Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
            builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        }

        return builder;
    }

    /// <summary>
    /// First in the pipeline: from a trusted proxy, the client's scheme, host and address replace the proxy's, for
    /// everything after (rate limits, Twilio URLs, same-origin checks). Host filtering (<c>AllowedHosts</c>) runs before
    /// it, on the Host header the proxy sent.
    /// </summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        var trusted = app.Services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value;
        var sources = TrustedProxyOptions.Entries(trusted.KnownProxies).Concat(TrustedProxyOptions.Entries(trusted.KnownNetworks)).ToList();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VoiceBridge.Hosting");
        var proxies = sources.Count == 0 ? "nobody" : string.Join(", ", sources);
        LogTrustedProxies(logger, proxies);
        app.UseForwardedHeaders();
        return app;
    }

    private static string? Listed(IConfiguration configuration, string key)
    {
        var entries = configuration.GetSection(TrustedProxyOptions.SectionName + ":" + key).GetChildren()
            .Select(child => child.Value)
            .Where(value => !string.IsNullOrWhiteSpace(value))
            .ToList();
        return entries.Count == 0 ? null : string.Join(',', entries);
    }

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "X-Forwarded-For/-Proto/-Host are believed from {Proxies} (ForwardedHeaders:KnownProxies, KnownNetworks); ignored from anyone else")]
    private static partial void LogTrustedProxies(ILogger logger, string proxies);
}
