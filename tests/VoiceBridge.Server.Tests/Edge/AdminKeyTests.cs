using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Calls;

namespace VoiceBridge.Server.Tests.Edge;

/// <summary>The admin API's keys: long enough, settable the obvious way, said plainly when wrong, and not guessable at speed.</summary>
public sealed class AdminKeyTests
{
    private const string AdminKey = "edge-tests-admin-key-0123456789abcdef";

    private static WebApplicationFactory<Program> Boot(params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }
        });

    private static async Task<HttpResponseMessage> GetCallsAsync(HttpClient client, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/calls");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<string> TitleAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return problem.RootElement.GetProperty("title").GetString()!;
    }

    [Fact]
    public async Task RepeatedWrongKeys_AreThrottledWith429AndRetryAfter_EvenForTheRightKeyAfterwards()
    {
        using var app = Boot(("Audit:AdminKeys:0", AdminKey), ("Session:RateLimit:AdminFailureBurst", "5"), ("Session:RateLimit:AdminFailuresPerMinute", "1"));
        using var client = app.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await GetCallsAsync(client, "guess-" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var throttled = await GetCallsAsync(client, "guess-5");
        using var right = await GetCallsAsync(client, AdminKey);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.NotNull(throttled.Headers.RetryAfter);
        // Refused before the key is compared: a throttled guesser learns nothing, not even from a right guess.
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
    }

    [Fact]
    public async Task RightKeys_AreNeverThrottled()
    {
        using var app = Boot(("Audit:AdminKeys:0", AdminKey), ("Session:RateLimit:AdminFailureBurst", "2"), ("Session:RateLimit:AdminFailuresPerMinute", "1"));
        using var client = app.CreateClient();
        for (var i = 0; i < 10; i++)
        {
            using var response = await GetCallsAsync(client, AdminKey);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task TheRefusal_SaysWhetherAKeyWasMissingOrWrong()
    {
        using var app = Boot(("Audit:AdminKeys:0", AdminKey));
        using var client = app.CreateClient();

        using var missing = await GetCallsAsync(client, null);
        using var wrong = await GetCallsAsync(client, "not-the-key");

        Assert.Equal("An admin key is required.", await TitleAsync(missing));
        Assert.Equal("Invalid admin key.", await TitleAsync(wrong));
    }

    [Theory]
    [InlineData(AdminKey)]
    [InlineData("Basic " + AdminKey)]
    public async Task AKeyNotSentAsBearer_IsCalledInvalid_AndTheRefusalNamesTheBearerForm(string header)
    {
        using var app = Boot(("Audit:AdminKeys:0", AdminKey));
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/calls");
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", header));

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var title = await TitleAsync(response);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Invalid admin key", title, StringComparison.Ordinal);
        Assert.Contains("Authorization: Bearer <key>", title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACommaSeparatedValue_ConfiguresSeveralKeys()
    {
        const string Second = "edge-tests-second-admin-key-abcdefghij";
        using var app = Boot(("Audit:AdminKeys", AdminKey + ", " + Second));
        using var client = app.CreateClient();

        using var first = await GetCallsAsync(client, AdminKey);
        using var second = await GetCallsAsync(client, Second);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public void NoAdminKeys_IsWarnedAboutOnceAtStartup()
    {
        var logs = new CapturedLogs();
        using var app = Boot().WithWebHostBuilder(host => host.ConfigureLogging(logging => logging.AddProvider(logs)));

        _ = app.Services;

        Assert.Single(logs.Lines, line => line.Message.Contains("Audit:AdminKeys", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Audit:AdminKeys:0", "devkey", "Audit:AdminKeys:0")]
    [InlineData("Audit:AdminKeys", AdminKey + ",short", "Audit:AdminKeys:1")]
    public async Task AShortKey_StopsTheBoot_NamingTheKeyButNotItsValue(string key, string value, string named)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection([new(key, value)]);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var failure = await ConnectionLimitTests.BootFailsAsync(builder, b =>
        {
            b.AddAudit();
            b.AddCalls();
        });

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
        Assert.Contains("32", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("devkey", failure.Message, StringComparison.Ordinal);
    }
}
