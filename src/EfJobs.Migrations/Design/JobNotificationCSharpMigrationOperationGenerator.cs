using EfJobs.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace EfJobs.Migrations.Design;

/// <summary>
/// EF's C# generator for migration operations, plus EfJobs' two: it writes
/// <c>migrationBuilder.CreateJobNotificationTriggers("table")</c> and <c>migrationBuilder.DropJobNotificationTriggers("table")</c>
/// (with <c>schema: "..."</c> when the table has one).
/// </summary>
/// <param name="dependencies">EF's dependencies of the C# operation generator.</param>
public class JobNotificationCSharpMigrationOperationGenerator(CSharpMigrationOperationGeneratorDependencies dependencies)
    : CSharpMigrationOperationGenerator(dependencies)
{
    /// <inheritdoc />
    protected override void Generate(MigrationOperation operation, IndentedStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        switch (operation)
        {
            case CreateJobNotificationTriggersOperation create:
                Call(".CreateJobNotificationTriggers(", create.Table, create.Schema, builder);
                break;
            case DropJobNotificationTriggersOperation drop:
                Call(".DropJobNotificationTriggers(", drop.Table, drop.Schema, builder);
                break;
            default:
                base.Generate(operation, builder);
                break;
        }
    }

    private void Call(string method, string table, string? schema, IndentedStringBuilder builder)
    {
        var code = Dependencies.CSharpHelper;
        builder.Append(method).Append(code.Literal(table));
        if (schema is not null)
        {
            builder.Append(", schema: ").Append(code.Literal(schema));
        }

        builder.Append(")");
    }
}
