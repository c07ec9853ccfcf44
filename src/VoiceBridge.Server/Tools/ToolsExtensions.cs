using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Tools;

internal static class ToolsExtensions
{
    /// <summary>Name of the <see cref="HttpClient"/> HTTP tools use.</summary>
    public const string HttpClientName = "VoiceBridge.Tools";

    /// <summary>
    /// The <c>Tools</c> options (validated at startup: names, endpoints, schemas), the built-in tools and the
    /// <see cref="ToolCatalog"/> that the session policy offers to the model. Tools registered in code as
    /// <see cref="ITool"/> singletons join the catalog.
    /// </summary>
    public static WebApplicationBuilder AddTools(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<ToolsOptions>()
            .BindConfiguration(ToolsOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                foreach (var (name, tool) in options.Http)
                {
                    tool.ParametersJson ??= SchemaConfiguration.ToJson(
                        configuration.GetSection($"{ToolsOptions.SectionName}:Http:{name}:Parameters"));
                }
            });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ToolsOptions>, ToolsOptionsValidator>());

        // Redirects are not followed: a tool endpoint that moves is a configuration to fix, not a hop to take blindly
        // with the tool's credentials in the headers.
        services.AddHttpClient(HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddSingleton(provider => new ToolCatalog(CreateTools(provider)));
        return builder;
    }

    private static IEnumerable<ITool> CreateTools(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<ToolsOptions>>().Value;
        if (options.EndCall)
        {
            yield return new EndCallTool();
        }

        if (!string.IsNullOrEmpty(options.TransferNumber))
        {
            yield return new TransferCallTool(options.TransferNumber);
        }

        var http = provider.GetRequiredService<IHttpClientFactory>();
        var time = provider.GetRequiredService<TimeProvider>();
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger<HttpTool>();
        foreach (var (name, tool) in options.Http)
        {
            using var schema = JsonDocument.Parse(tool.ParametersJson!);
            yield return new HttpTool(name, tool, schema.RootElement.Clone(), http.CreateClient(HttpClientName), time, logger);
        }

        foreach (var tool in provider.GetServices<ITool>())
        {
            yield return tool;
        }
    }
}
