using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using VoiceBridge.Server.Tools;

namespace VoiceBridge.Server.Tests.Tools;

/// <summary>A JSON Schema written as configuration comes back with its arrays, numbers and booleans.</summary>
public sealed class SchemaConfigurationTests
{
    [Fact]
    public void SchemaFromConfiguration_KeepsArraysNumbersBooleansAndTypedEnums()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["P:type"] = "object",
            ["P:properties:order_number:type"] = "string",
            ["P:properties:quantity:type"] = "integer",
            ["P:properties:quantity:minimum"] = "1",
            ["P:properties:size:type"] = "integer",
            ["P:properties:size:enum:0"] = "10",
            ["P:properties:size:enum:1"] = "12",
            ["P:properties:tags:type"] = "array",
            ["P:properties:tags:items:type"] = "string",
            // Host settings give the parent of an indexed key an empty value too.
            ["P:required"] = string.Empty,
            ["P:required:0"] = "order_number",
            ["P:required:1"] = "quantity",
            ["P:additionalProperties"] = "false",
        }).Build();

        var json = SchemaConfiguration.ToJson(configuration.GetSection("P"));

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""
                {"type":"object","properties":{"order_number":{"type":"string"},"quantity":{"type":"integer","minimum":1},
                 "size":{"type":"integer","enum":[10,12]},"tags":{"type":"array","items":{"type":"string"}}},
                 "required":["order_number","quantity"],"additionalProperties":false}
                """),
            JsonNode.Parse(json!)), json);
    }
}
