/** Entities: metadata, field schemas, picklists. */
import type { EntityAccess, PicklistEntry } from './types';

export type FieldType = 'integer' | 'long' | 'decimal' | 'string' | 'boolean' | 'datetime';

export interface EntityMeta {
  /** URL segment and thread-limit bucket, e.g. "Companies" */
  endpoint: string;
  /** singular name used by entityInformation and error texts, e.g. "Company" */
  name: string;
  can: Record<EntityAccess, boolean>;
  hasUserDefinedFields: boolean;
  supportsWebhookCallouts: boolean;
}

export const COMPANY: EntityMeta = {
  endpoint: 'Companies',
  name: 'Company',
  can: { create: true, query: true, update: true, delete: false },
  hasUserDefinedFields: true,
  supportsWebhookCallouts: true,
};
export const TICKET: EntityMeta = {
  endpoint: 'Tickets',
  name: 'Ticket',
  can: { create: true, query: true, update: true, delete: false },
  hasUserDefinedFields: true,
  supportsWebhookCallouts: true,
};
export const TICKET_NOTE: EntityMeta = {
  endpoint: 'TicketNotes',
  name: 'TicketNote',
  can: { create: true, query: true, update: true, delete: false },
  hasUserDefinedFields: false,
  supportsWebhookCallouts: true,
};

/** Builds a field-name → type schema from space-separated name lists (names as in the swagger model). */
function schema(groups: Partial<Record<FieldType, string>>): Map<string, { name: string; type: FieldType }> {
  const fields = new Map<string, { name: string; type: FieldType }>();
  for (const [type, names] of Object.entries(groups) as [FieldType, string][]) {
    for (const name of names.split(/\s+/).filter(Boolean)) fields.set(name.toLowerCase(), { name, type });
  }
  return fields;
}

/** All 61 queryable CompanyModel fields, so filters on fields the simulator leaves unset behave like on the real API. */
export const COMPANY_SCHEMA = schema({
  long: 'id',
  string:
    'additionalAddressInformation address1 address2 alternatePhone1 alternatePhone2 billToAdditionalAddressInformation ' +
    'billingAddress1 billingAddress2 billToAttention billToCity billToState billToZipCode city companyName companyNumber ' +
    'fax phone postalCode sicCode state stockMarket stockSymbol taxID webAddress',
  integer:
    'apiVendorID billToCompanyLocationID billToAddressToUse billToCountryID classification companyCategoryID companyType ' +
    'competitorID countryID createdByResourceID currencyID impersonatorCreatorResourceID invoiceEmailMessageID invoiceMethod ' +
    'invoiceTemplateID marketSegmentID ownerResourceID parentCompanyID purchaseOrderTemplateID quoteEmailMessageID ' +
    'quoteTemplateID taxRegionID territoryID',
  decimal: 'assetValue surveyCompanyRating',
  datetime: 'createDate lastActivityDate lastTrackedModifiedDateTime',
  boolean:
    'invoiceNonContractItemsToParentCompany isActive isClientPortalActive isEnabledForComanaged isSample isTaskFireActive isTaxExempt',
});

export interface PicklistValue extends PicklistEntry {
  sortOrder: number;
  isSystem: boolean;
}
type PickSpec = [value: number, label: string, flags?: { default?: true; inactive?: true; custom?: true; parent?: number }];

/** Picklist values are strings on the wire even for integer fields. */
function picklist(specs: PickSpec[]): PicklistValue[] {
  return specs.map(([value, label, flags = {}], index) => ({
    value: String(value),
    label,
    isDefaultValue: flags.default === true,
    sortOrder: index + 1,
    parentValue: flags.parent === undefined ? '' : String(flags.parent),
    isActive: flags.inactive !== true,
    isSystem: flags.custom !== true,
  }));
}

interface FieldOptions {
  length?: number;
  required?: boolean;
  readOnly?: boolean;
  reference?: string;
  picklist?: PicklistValue[];
  parentField?: string;
}

export type FieldInfo = ReturnType<typeof fieldInfo>;

function fieldInfo(name: string, dataType: FieldType, o: FieldOptions = {}) {
  return {
    name,
    dataType,
    length: o.length ?? 0,
    isRequired: o.required ?? false,
    isReadOnly: o.readOnly ?? false,
    isQueryable: true,
    isReference: o.reference !== undefined,
    referenceEntityType: o.reference ?? '',
    isPickList: o.picklist !== undefined,
    picklistValues: o.picklist ?? null,
    picklistParentValueField: o.parentField ?? '',
    isSupportedWebhookField: false,
  };
}

/**
 * A small tenant-like subset of Tickets/entityInformation/fields: the TicketModel fields the simulator stores, with system and
 * custom picklist values, some inactive, and a dependent picklist. Writes are validated against it (lengths, required fields,
 * picklists). Defaults only: each simulator serves and edits its own copy (FieldStore).
 */
export const TICKET_FIELDS = [
  fieldInfo('id', 'long', { readOnly: true }),
  fieldInfo('ticketNumber', 'string', { length: 50, readOnly: true }),
  fieldInfo('title', 'string', { length: 255, required: true }),
  fieldInfo('description', 'string', { length: 8000 }),
  fieldInfo('companyID', 'integer', { required: true, reference: 'Company' }),
  fieldInfo('contactID', 'integer', { reference: 'Contact' }),
  fieldInfo('assignedResourceID', 'integer', { reference: 'Resource' }),
  fieldInfo('assignedResourceRoleID', 'integer', { reference: 'Role' }),
  fieldInfo('externalID', 'string', { length: 50 }),
  fieldInfo('dueDateTime', 'datetime'),
  fieldInfo('createDate', 'datetime', { readOnly: true }),
  fieldInfo('lastActivityDate', 'datetime', { readOnly: true }),
  fieldInfo('lastTrackedModificationDateTime', 'datetime', { readOnly: true }),
  fieldInfo('completedDate', 'datetime', { readOnly: true }),
  fieldInfo('status', 'integer', {
    required: true,
    picklist: picklist([
      [1, 'New', { default: true }],
      [5, 'Complete'],
      [7, 'Waiting Customer'],
      [8, 'In Progress'],
      [9, 'Waiting Materials', { custom: true }],
      [13, 'Waiting Vendor', { custom: true }],
      [14, 'Legacy Review', { custom: true, inactive: true }],
    ]),
  }),
  fieldInfo('priority', 'integer', {
    required: true,
    picklist: picklist([
      [1, 'Critical'],
      [2, 'Medium', { default: true }],
      [3, 'Low'],
      [5, 'High'],
      [6, 'Urgent', { custom: true, inactive: true }],
    ]),
  }),
  fieldInfo('queueID', 'integer', {
    picklist: picklist([
      [5, 'Client Portal'],
      [6, 'Post Sale'],
      [8, 'Monitoring Alert'],
      [29682969, 'Level I Support', { custom: true }],
      [29682970, 'Level II Support', { custom: true }],
      [29682971, 'Old Projects Queue', { custom: true, inactive: true }],
    ]),
  }),
  fieldInfo('issueType', 'integer', {
    picklist: picklist([
      [4, 'Hardware', { custom: true }],
      [5, 'Software', { custom: true }],
      [6, 'Network', { custom: true }],
      [7, 'Legacy Systems', { custom: true, inactive: true }],
    ]),
  }),
  fieldInfo('subIssueType', 'integer', {
    parentField: 'IssueType',
    picklist: picklist([
      [11, 'Laptop', { custom: true, parent: 4 }],
      [12, 'Printer', { custom: true, parent: 4 }],
      [13, 'Server', { custom: true, parent: 4 }],
      [14, 'Microsoft 365', { custom: true, parent: 5 }],
      [15, 'Line-of-business application', { custom: true, parent: 5 }],
      [16, 'Old ERP', { custom: true, parent: 5, inactive: true }],
      [17, 'VPN', { custom: true, parent: 6 }],
      [18, 'Wi-Fi', { custom: true, parent: 6 }],
    ]),
  }),
  fieldInfo('source', 'integer', {
    picklist: picklist([
      [-2, 'Insourced'],
      [-1, 'Client Portal'],
      [1, 'Other'],
      [2, 'Phone'],
      [4, 'Email', { custom: true }],
      [6, 'Fax', { custom: true, inactive: true }],
    ]),
  }),
  fieldInfo('ticketType', 'integer', {
    picklist: picklist([
      [1, 'Service Request', { default: true }],
      [2, 'Incident'],
      [3, 'Problem'],
      [4, 'Change Request'],
      [5, 'Alert'],
    ]),
  }),
  fieldInfo('ticketCategory', 'integer', {
    picklist: picklist([
      [3, 'Standard', { default: true }],
      [4, 'Field Service', { custom: true }],
      [5, 'Legacy Category', { custom: true, inactive: true }],
    ]),
  }),
];

/**
 * The whole TicketNoteModel (API.md §11). title is optional here: the ticket category decides. noteType system values as
 * one tenant reports them (github.com/DeskDirector/UserVoice/issues/169), publish values as in API.md §11; the defaults
 * (noteType 1, publish 1) and the custom values are the simulator's choice.
 */
export const TICKET_NOTE_FIELDS = [
  fieldInfo('id', 'long', { readOnly: true }),
  fieldInfo('ticketID', 'integer', { required: true, reference: 'Ticket' }),
  fieldInfo('title', 'string', { length: 250 }),
  fieldInfo('description', 'string', { length: 32000, required: true }),
  fieldInfo('createDateTime', 'datetime', { readOnly: true }),
  fieldInfo('lastActivityDate', 'datetime', { readOnly: true }),
  fieldInfo('createdByContactID', 'integer', { readOnly: true, reference: 'Contact' }),
  fieldInfo('creatorResourceID', 'integer', { readOnly: true, reference: 'Resource' }),
  fieldInfo('impersonatorCreatorResourceID', 'integer', { readOnly: true, reference: 'Resource' }),
  fieldInfo('impersonatorUpdaterResourceID', 'integer', { readOnly: true, reference: 'Resource' }),
  fieldInfo('noteType', 'integer', {
    required: true,
    picklist: picklist([
      [1, 'Task Summary', { default: true }],
      [2, 'Task Detail'],
      [3, 'Task Notes'],
      [13, 'Workflow Rule Note - Task'],
      [18, 'Escalation Note', { custom: true }],
      [19, 'Phone Log (old)', { custom: true, inactive: true }],
    ]),
  }),
  fieldInfo('publish', 'integer', {
    required: true,
    picklist: picklist([
      [1, 'All Autotask Users', { default: true }],
      [2, 'Internal Project Team'],
      [4, 'Internal & Co-Managed'],
      [5, 'Account Managers Only', { custom: true, inactive: true }],
    ]),
  }),
];

/** Query schemas of the entities whose stored fields their metadata lists in full. */
function schemaOf(fields: FieldInfo[]): Map<string, { name: string; type: FieldType }> {
  return new Map(fields.map((f) => [f.name.toLowerCase(), { name: f.name, type: f.dataType }]));
}

export const TICKET_SCHEMA = schemaOf(TICKET_FIELDS);
export const TICKET_NOTE_SCHEMA = schemaOf(TICKET_NOTE_FIELDS);
