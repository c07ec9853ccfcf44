namespace VoiceBridge.Server.Admission;

internal static class AdmissionExtensions
{
    /// <summary>Whether a new call may start: <c>Session:MaxConcurrentCalls</c>, draining, the audit trail accepting calls.</summary>
    public static WebApplicationBuilder AddAdmission(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallAdmission>();
        return builder;
    }
}
