namespace VoiceBridge.Server.Sessions;

internal static class SessionExtensions
{
    public static WebApplicationBuilder AddSessions(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallRegistry>();
        builder.Services.AddOptionsWithValidateOnStart<SessionOptions>().BindConfiguration(SessionOptions.SectionName);
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<SessionOptions>, SessionOptionsValidator>();
        builder.Services.AddSingleton<CallAdmission>();
        return builder;
    }

    public static WebApplication UseSessions(this WebApplication app)
    {
        // Server pings keep NAT and proxy state alive through long silences in a call.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        return app;
    }
}
