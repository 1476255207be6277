using Runtype.Application.ApiKeys.CreateApiKey;

namespace Runtype.Application.Tests.ApiKeys;

/// <summary>The command-line <c>keys create</c> options: errors name the option (user, org, name, scopes).</summary>
public sealed class CreateApiKeyValidatorTests
{
    public static TheoryData<CreateApiKey> ValidCommands() => new()
    {
        new CreateApiKey("user_1", null, null, ["sessions:read"]),
        new CreateApiKey("user_1", "org_1", "CI", ["sessions:read", "sessions:write"]),
        new CreateApiKey(new string('u', 255), new string('o', 255), new string('n', 100), ["sessions:write"]),
    };

    [Theory]
    [MemberData(nameof(ValidCommands))]
    public void Accepts_an_owner_known_scopes_and_names_within_limits(CreateApiKey command)
    {
        Assert.True(new CreateApiKeyValidator().Validate(command).IsValid);
    }

    public static TheoryData<CreateApiKey, string> InvalidCommands() => new()
    {
        { new CreateApiKey("", null, null, ["sessions:read"]), "user" },
        { new CreateApiKey(new string('u', 256), null, null, ["sessions:read"]), "user" },
        { new CreateApiKey("user_1", new string('o', 256), null, ["sessions:read"]), "org" },
        { new CreateApiKey("user_1", null, new string('n', 101), ["sessions:read"]), "name" },
        { new CreateApiKey("user_1", null, null, []), "scopes" },
        { new CreateApiKey("user_1", null, null, ["sessions:admin"]), "scopes" },
        { new CreateApiKey("user_1", null, null, ["sessions:read", "Sessions:Write"]), "scopes" },
        { new CreateApiKey("", new string('o', 256), new string('n', 101), ["x"]), "name,org,scopes,user" },
    };

    [Theory]
    [MemberData(nameof(InvalidCommands))]
    public void Refuses_bad_options_naming_them(CreateApiKey command, string fields)
    {
        var result = new CreateApiKeyValidator().Validate(command);

        Assert.False(result.IsValid);
        Assert.Equal(fields.Split(','), result.Errors.Select(e => e.PropertyName).Distinct().Order(StringComparer.Ordinal));
    }
}
