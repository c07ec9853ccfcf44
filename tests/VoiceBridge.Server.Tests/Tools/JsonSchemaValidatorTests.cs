using System.Text.Json;
using VoiceBridge.Server.Tools;

namespace VoiceBridge.Server.Tests.Tools;

/// <summary>The schema subset tools use, and the words the model gets back when arguments do not fit.</summary>
public sealed class JsonSchemaValidatorTests
{
    private const string Schema = """
        {"type":"object","properties":{
          "order_number":{"type":"string"},
          "quantity":{"type":"integer"},
          "size":{"type":"string","enum":["S","M","L"]},
          "gift":{"type":"boolean"},
          "tags":{"type":"array","items":{"type":"string"}},
          "note":{"type":["string","null"]}},
         "required":["order_number"],"additionalProperties":false}
        """;

    [Theory]
    [InlineData("""{"order_number":"1"}""")]
    [InlineData("""{"order_number":"1","quantity":3.0,"size":"M","gift":true,"tags":["a","b"],"note":null}""")]
    public void FittingArguments_AreAccepted(string arguments) => Assert.Null(Validate(arguments));

    [Theory]
    [InlineData("{}", "arguments.order_number is required")]
    [InlineData("""{"order_number":1}""", "arguments.order_number must be of type string, got number")]
    [InlineData("""{"order_number":"1","quantity":2.5}""", "arguments.quantity must be of type integer, got number")]
    [InlineData("""{"order_number":"1","size":"XL"}""", "arguments.size must be one of \"S\", \"M\", \"L\"")]
    [InlineData("""{"order_number":"1","tags":["a",2]}""", "arguments.tags[1] must be of type string, got number")]
    [InlineData("""{"order_number":"1","colour":"red"}""", "arguments.colour is not a known parameter")]
    [InlineData("[]", "arguments must be of type object, got array")]
    public void MisfittingArguments_AreDescribed(string arguments, string expected) => Assert.Equal(expected, Validate(arguments));

    [Theory]
    [InlineData("""{"type":"string"}""", "the parameters schema must have \"type\": \"object\"")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"text"}}}""", "parameters.properties.a: unknown type 'text'")]
    [InlineData("""{"type":"object","required":"a"}""", "parameters.required must be an array of property names")]
    public void UnusableToolSchemas_AreRefused(string schema, string expected)
    {
        using var document = JsonDocument.Parse(schema);
        Assert.Equal(expected, JsonSchemaValidator.CheckToolSchema(document.RootElement));
    }

    private static string? Validate(string arguments)
    {
        using var schema = JsonDocument.Parse(Schema);
        using var value = JsonDocument.Parse(arguments);
        return JsonSchemaValidator.Validate(schema.RootElement, value.RootElement);
    }
}
