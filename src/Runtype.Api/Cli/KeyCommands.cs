using System.CommandLine;
using System.Globalization;
using Mediator;
using Runtype.Application.ApiKeys;
using Runtype.Application.ApiKeys.CreateApiKey;
using Runtype.Application.ApiKeys.ListApiKeys;
using Runtype.Application.ApiKeys.RevokeApiKey;
using Runtype.Domain.ApiKeys;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Api.Cli;

/// <summary>
/// <c>keys create|list|revoke</c> (contract §2): API keys in the configured database. <c>keys create</c> prints the new
/// key alone on the last line of stdout (<c>KEY=$(… keys create … | tail -n 1)</c>); nothing else ever prints a key.
/// </summary>
public static class KeyCommands
{
    public static Command Create(Func<IServiceProvider> services)
    {
        var keys = new Command("keys", "Manage API keys: create, list, revoke.")
        {
            CreateCommand(services),
            ListCommand(services),
            RevokeCommand(services),
        };
        return keys;
    }

    private static Command CreateCommand(Func<IServiceProvider> services)
    {
        var user = new Option<string>("--user") { Description = "The owner's userId.", Required = true, HelpName = "userId" };
        var org = new Option<string>("--org") { Description = "The owner's organizationId.", HelpName = "orgId" };
        var name = new Option<string>("--name") { Description = "A label for the key.", HelpName = "label" };
        var scopes = new Option<string>("--scopes")
        {
            Description = $"Comma-separated scopes (default: all of {string.Join(",", ApiKeyScopes.All)}).",
            HelpName = "a,b",
        };
        var command = new Command("create", "Create a key; it is printed once, alone on the last line of stdout.") { user, org, name, scopes };
        command.SetAction((parsed, cancellationToken) => WithSenderAsync(services, cancellationToken, async sender =>
        {
            var requested = parsed.GetValue(scopes);
            var created = await sender.Send(
                new CreateApiKey(
                    parsed.GetRequiredValue(user),
                    parsed.GetValue(org),
                    parsed.GetValue(name),
                    requested is null ? ApiKeyScopes.All : [.. requested.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]),
                cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            await output.WriteLineAsync($"Created API key {created.Key.Id} for user {created.Key.UserId} with scopes {string.Join(",", created.Key.Scopes)}.");
            await output.WriteLineAsync("Store it now: it is shown only once. The next line is the key.");
            await output.WriteLineAsync(created.PlainText);
        }));
        return command;
    }

    private static Command ListCommand(Func<IServiceProvider> services)
    {
        var user = new Option<string>("--user") { Description = "Only this user's keys.", HelpName = "userId" };
        var command = new Command("list", "List keys (never the keys themselves): id, owner, name, scopes, times, status.") { user };
        command.SetAction((parsed, cancellationToken) => WithSenderAsync(services, cancellationToken, async sender =>
            await WriteTableAsync(parsed.InvocationConfiguration.Output, await sender.Send(new ListApiKeys(parsed.GetValue(user)), cancellationToken))));
        return command;
    }

    private static Command RevokeCommand(Func<IServiceProvider> services)
    {
        var keyId = new Argument<string>("keyId") { Description = "The key's id (the 16 hex digits after rt_; see keys list)." };
        var command = new Command("revoke", "Revoke a key; it is refused from the next request on.") { keyId };
        command.SetAction((parsed, cancellationToken) => WithSenderAsync(services, cancellationToken, async sender =>
        {
            var revoked = await sender.Send(new RevokeApiKey(parsed.GetRequiredValue(keyId)), cancellationToken);
            await parsed.InvocationConfiguration.Output.WriteLineAsync($"Revoked API key {revoked.Id} (user {revoked.UserId}).");
        }));
        return command;
    }

    /// <summary>Runs a keys command in a scope of the host, after the migrations unless <c>Database:MigrateOnStartup</c> is false.</summary>
    private static async Task<int> WithSenderAsync(Func<IServiceProvider> services, CancellationToken cancellationToken, Func<ISender, Task> work)
    {
        await using var scope = services().CreateAsyncScope();
        var provider = scope.ServiceProvider;
        if (provider.GetRequiredService<DatabaseOptions>().MigrateOnStartup)
        {
            await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        }

        await work(provider.GetRequiredService<ISender>());
        return CommandLine.Ok;
    }

    private static async Task WriteTableAsync(TextWriter output, IReadOnlyList<ApiKeyDto> keys)
    {
        if (keys.Count == 0)
        {
            await output.WriteLineAsync("No API keys.");
            return;
        }

        await output.WriteLineAsync($"{"ID",-16}  {"USER",-24}  {"ORG",-16}  {"NAME",-20}  {"SCOPES",-29}  {"CREATED",-20}  {"LAST USED",-20}  STATUS");
        foreach (var key in keys)
        {
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{key.Id,-16}  {key.UserId,-24}  {key.OrganizationId ?? "-",-16}  {key.Name,-20}  {string.Join(",", key.Scopes),-29}  {Time(key.CreatedAt),-20}  {Time(key.LastUsedAt),-20}  {(key.RevokedAt is null ? "active" : "revoked " + Time(key.RevokedAt))}"));
        }
    }

    private static string Time(DateTime? value) => value?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
}
